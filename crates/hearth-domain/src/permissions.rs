//! Who may do what in a conversation: seed 001's permissions, the roles that hold them, and
//! every rule that decides an action. Every face asks these rules through the use cases, so a
//! rule changed here changes for REST, WebSocket and every other face at once.
//!
//! Owners and admins hold every permission. An ordinary member holds what they were given:
//! `can_send_messages` by default (nothing in a channel), more when an admin grants it. The
//! owner alone transfers ownership or deletes the conversation; an admin manages members'
//! roles and permissions, but not another admin's or the owner's; a member holding
//! `can_moderate_content` may mute and unmute ordinary members (their `can_send_messages`).
//! This module decides only; it never reads or writes anything.

use serde::{Deserialize, Serialize};

use std::time::Duration;

use crate::{Access, ConversationKind, Message, Role, Timestamp};

/// The permissions a member may hold (seed 001's `ParticipantPermissions`; its `is_admin` is
/// the role, see [`Role::is_admin`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Permissions {
    /// May post messages.
    pub can_send_messages: bool,
    /// May add and remove members and answer join requests.
    pub can_manage_participants: bool,
    /// May change the title, description and settings.
    pub can_change_settings: bool,
    /// May delete other people's messages.
    pub can_delete_messages: bool,
    /// May mute and unmute ordinary members.
    pub can_moderate_content: bool,
}

impl Permissions {
    /// Nothing at all.
    pub const NONE: Self = Self {
        can_send_messages: false,
        can_manage_participants: false,
        can_change_settings: false,
        can_delete_messages: false,
        can_moderate_content: false,
    };
    /// Posting only: an ordinary member's default.
    pub const SEND: Self = Self {
        can_send_messages: true,
        ..Self::NONE
    };
    /// Every permission: what owners and admins hold.
    pub const ALL: Self = Self {
        can_send_messages: true,
        can_manage_participants: true,
        can_change_settings: true,
        can_delete_messages: true,
        can_moderate_content: true,
    };

    /// The permissions as bits, for storage (stable: never renumber).
    pub fn to_bits(self) -> i64 {
        [
            self.can_send_messages,
            self.can_manage_participants,
            self.can_change_settings,
            self.can_delete_messages,
            self.can_moderate_content,
        ]
        .iter()
        .enumerate()
        .map(|(bit, held)| i64::from(*held) << bit)
        .sum()
    }

    /// The permissions stored as [`to_bits`](Self::to_bits).
    pub fn from_bits(bits: i64) -> Self {
        let held = |bit: u32| bits & (1 << bit) != 0;
        Self {
            can_send_messages: held(0),
            can_manage_participants: held(1),
            can_change_settings: held(2),
            can_delete_messages: held(3),
            can_moderate_content: held(4),
        }
    }

    /// Whether `self` and `other` differ in anything but `can_send_messages`.
    fn differs_beyond_sending(self, other: Self) -> bool {
        Self {
            can_send_messages: false,
            ..self
        } != Self {
            can_send_messages: false,
            ..other
        }
    }
}

/// Something a member asks to do in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Post a message.
    SendMessage,
    /// Add someone.
    AddMember,
    /// Remove the member `target`.
    RemoveMember(Access),
    /// Change the title, description or settings.
    ChangeSettings,
    /// Give member `target` the role `to`.
    ChangeRole {
        /// Whose role.
        target: Access,
        /// The new role.
        to: Role,
    },
    /// Give member `target` the permissions `to`.
    ChangePermissions {
        /// Whose permissions.
        target: Access,
        /// The new permissions.
        to: Permissions,
    },
    /// Make member `target` the owner.
    TransferOwnership(Access),
    /// Delete the conversation for everyone.
    DeleteConversation,
    /// Leave it.
    Leave,
    /// See, approve and deny join requests.
    ReviewJoinRequests,
}

/// Why a member may not do what they asked. Each is a `forbidden` answer whose message says
/// what would be allowed instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Direct conversations have exactly their two people and no settings.
    DirectConversation,
    /// The member lacks the permission the action needs.
    MissingPermission,
    /// The member may not post here.
    CannotSend,
    /// Only the owner may.
    OwnerOnly,
    /// Only owners and admins manage roles and permissions.
    AdminsOnly,
    /// The owner's role and membership change only by transfer or deletion.
    OwnerIsUntouchable,
    /// Admins are managed by the owner alone.
    OwnerManagesAdmins,
    /// The owner leaves only after handing over.
    OwnerCannotLeave,
    /// Ownership moves only by transfer.
    UseTransfer,
    /// Removing yourself is leaving.
    UseLeave,
    /// Owners and admins hold every permission; there is nothing to adjust.
    AdminsHoldEverything,
    /// The owner is already the owner.
    AlreadyOwner,
}

impl Refusal {
    /// The refusal's message, for the error envelope.
    pub fn message(self) -> &'static str {
        match self {
            Self::DirectConversation => {
                "a direct conversation always has exactly its two people and no settings"
            }
            Self::MissingPermission => "you do not have the permission to do this here",
            Self::CannotSend => "you may not send messages in this conversation",
            Self::OwnerOnly => "only the owner can do this",
            Self::AdminsOnly => "only owners and admins manage roles and permissions",
            Self::OwnerIsUntouchable => {
                "the owner cannot be removed or changed; transfer ownership first"
            }
            Self::OwnerManagesAdmins => "only the owner manages other admins",
            Self::OwnerCannotLeave => {
                "the owner cannot leave; transfer ownership or delete the conversation"
            }
            Self::UseTransfer => "ownership moves only by transfer",
            Self::UseLeave => "to remove yourself, leave the conversation",
            Self::AdminsHoldEverything => {
                "owners and admins hold every permission; change the role instead"
            }
            Self::AlreadyOwner => "you are already the owner",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

/// Whether `actor`, a member of a conversation of `kind`, may do `action`. Non-members are
/// refused before the rules are asked; consent and blocking are decided in `privacy`.
pub fn authorize(kind: ConversationKind, actor: Access, action: Action) -> Result<(), Refusal> {
    let held = actor.effective();
    let direct = kind == ConversationKind::Direct;
    let require = |ok: bool, refusal: Refusal| if ok { Ok(()) } else { Err(refusal) };
    match action {
        Action::SendMessage => require(held.can_send_messages, Refusal::CannotSend),
        _ if direct => Err(Refusal::DirectConversation),
        Action::AddMember => require(held.can_manage_participants, Refusal::MissingPermission),
        Action::ReviewJoinRequests => {
            require(held.can_manage_participants, Refusal::MissingPermission)
        }
        Action::ChangeSettings => require(held.can_change_settings, Refusal::MissingPermission),
        Action::RemoveMember(target) => {
            require(held.can_manage_participants, Refusal::MissingPermission)?;
            require(target.user_id != actor.user_id, Refusal::UseLeave)?;
            may_manage(actor, target)
        }
        Action::ChangeRole { target, to } => {
            require(to != Role::Owner, Refusal::UseTransfer)?;
            require(actor.role.is_admin(), Refusal::AdminsOnly)?;
            may_manage(actor, target)
        }
        Action::ChangePermissions { target, to } => {
            require(target.role == Role::Member, Refusal::AdminsHoldEverything)?;
            let muting_only = !to.differs_beyond_sending(target.permissions);
            require(
                actor.role.is_admin() || (held.can_moderate_content && muting_only),
                Refusal::AdminsOnly,
            )
        }
        Action::TransferOwnership(target) => {
            require(actor.role == Role::Owner, Refusal::OwnerOnly)?;
            require(target.user_id != actor.user_id, Refusal::AlreadyOwner)
        }
        Action::DeleteConversation => require(actor.role == Role::Owner, Refusal::OwnerOnly),
        Action::Leave => require(actor.role != Role::Owner, Refusal::OwnerCannotLeave),
    }
}

/// Whether `actor` may act on member `target`: nobody touches the owner, only the owner
/// touches admins.
fn may_manage(actor: Access, target: Access) -> Result<(), Refusal> {
    match target.role {
        Role::Owner => Err(Refusal::OwnerIsUntouchable),
        Role::Admin if actor.role != Role::Owner => Err(Refusal::OwnerManagesAdmins),
        Role::Admin | Role::Member => Ok(()),
    }
}

/// Why a member may not edit a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditRefusal {
    /// Only the author edits a message.
    #[error("only the author can edit a message")]
    NotAuthor,
    /// The edit window has closed.
    #[error("this message can no longer be edited")]
    WindowClosed,
}

/// Whether `member` may edit `message` at `now`. Only its author may, and only within
/// `window` of sending it (`None`: no time limit). A deleted message is not editable, but
/// that is a clash with its state, decided where the state is.
pub fn may_edit(
    member: Access,
    message: &Message,
    now: Timestamp,
    window: Option<Duration>,
) -> Result<(), EditRefusal> {
    if member.user_id != message.sender_id {
        return Err(EditRefusal::NotAuthor);
    }
    if let Some(window) = window
        && now - message.created_at > window
    {
        return Err(EditRefusal::WindowClosed);
    }
    Ok(())
}

/// Whether `member` may delete `message`: its author always; members holding
/// `can_delete_messages` (owners and admins hold it) too.
pub fn may_delete(member: Access, message: &Message) -> bool {
    member.user_id == message.sender_id || member.effective().can_delete_messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientMessageId, ConversationId, MessageContent, MessageId, UserId};

    fn message(sender: UserId, created_at: Timestamp) -> Message {
        Message {
            id: MessageId::new(),
            conversation_id: ConversationId::new(),
            sender_id: sender,
            client_message_id: ClientMessageId::from_trusted("k".to_owned()),
            seq: 2,
            content: Some(MessageContent::from_trusted("hi".to_owned())),
            created_at,
            edited_at: None,
            edit_count: 0,
            deleted_at: None,
            reply_to: None,
            thread: None,
            mentions: Vec::new(),
            reactions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    fn member(user_id: UserId) -> Access {
        as_role(user_id, Role::Member)
    }

    fn as_role(user_id: UserId, role: Role) -> Access {
        Access {
            user_id,
            role,
            permissions: Permissions::SEND,
            history_from: 0,
        }
    }

    #[test]
    fn only_the_author_edits_within_the_window() {
        let author = UserId::new();
        let sent = time::OffsetDateTime::UNIX_EPOCH;
        let m = message(author, sent);
        let hour = Duration::from_secs(3600);
        assert_eq!(
            may_edit(member(author), &m, sent + hour, Some(hour)),
            Ok(())
        );
        assert_eq!(
            may_edit(member(author), &m, sent + hour * 2, Some(hour)),
            Err(EditRefusal::WindowClosed)
        );
        assert_eq!(
            may_edit(member(author), &m, sent + hour * 1000, None),
            Ok(())
        );
        assert_eq!(
            may_edit(member(UserId::new()), &m, sent, None),
            Err(EditRefusal::NotAuthor)
        );
    }

    #[test]
    fn authors_owners_and_admins_delete() {
        let author = UserId::new();
        let m = message(author, time::OffsetDateTime::UNIX_EPOCH);
        assert!(may_delete(member(author), &m));
        assert!(!may_delete(member(UserId::new()), &m));
        for role in [Role::Owner, Role::Admin] {
            assert!(may_delete(as_role(UserId::new(), role), &m));
        }
        let moderator = Access {
            permissions: Permissions {
                can_delete_messages: true,
                ..Permissions::SEND
            },
            ..member(UserId::new())
        };
        assert!(may_delete(moderator, &m));
    }

    #[test]
    fn permissions_survive_storage_as_bits() {
        for bits in 0..32 {
            assert_eq!(Permissions::from_bits(bits).to_bits(), bits);
        }
        assert_eq!(Permissions::ALL.to_bits(), 31);
        assert_eq!(Permissions::NONE.to_bits(), 0);
    }

    #[test]
    fn nobody_touches_the_owner_and_only_the_owner_touches_admins() {
        let owner = as_role(UserId::new(), Role::Owner);
        let admin = as_role(UserId::new(), Role::Admin);
        let other_admin = as_role(UserId::new(), Role::Admin);
        let plain = member(UserId::new());
        let group = ConversationKind::Group;
        assert_eq!(
            authorize(group, admin, Action::RemoveMember(owner)),
            Err(Refusal::OwnerIsUntouchable)
        );
        assert_eq!(
            authorize(group, admin, Action::RemoveMember(other_admin)),
            Err(Refusal::OwnerManagesAdmins)
        );
        assert_eq!(authorize(group, owner, Action::RemoveMember(admin)), Ok(()));
        assert_eq!(authorize(group, admin, Action::RemoveMember(plain)), Ok(()));
        assert_eq!(
            authorize(
                group,
                admin,
                Action::ChangeRole {
                    target: plain,
                    to: Role::Owner
                }
            ),
            Err(Refusal::UseTransfer)
        );
        assert_eq!(
            authorize(group, owner, Action::Leave),
            Err(Refusal::OwnerCannotLeave)
        );
    }

    #[test]
    fn moderators_mute_but_grant_nothing_else() {
        let moderator = Access {
            permissions: Permissions {
                can_moderate_content: true,
                ..Permissions::SEND
            },
            ..member(UserId::new())
        };
        let target = member(UserId::new());
        let group = ConversationKind::Group;
        let mute = Action::ChangePermissions {
            target,
            to: Permissions::NONE,
        };
        let grant = Action::ChangePermissions {
            target,
            to: Permissions::ALL,
        };
        assert_eq!(authorize(group, moderator, mute), Ok(()));
        assert_eq!(authorize(group, moderator, grant), Err(Refusal::AdminsOnly));
    }

    #[test]
    fn a_direct_conversation_allows_sending_only() {
        let me = member(UserId::new());
        assert_eq!(
            authorize(ConversationKind::Direct, me, Action::SendMessage),
            Ok(())
        );
        for action in [Action::AddMember, Action::Leave, Action::ChangeSettings] {
            assert_eq!(
                authorize(ConversationKind::Direct, me, action),
                Err(Refusal::DirectConversation)
            );
        }
    }

    #[test]
    fn channel_members_read_but_do_not_post_by_default() {
        let reader = Access {
            permissions: ConversationKind::Channel.member_defaults(),
            ..member(UserId::new())
        };
        assert_eq!(
            authorize(ConversationKind::Channel, reader, Action::SendMessage),
            Err(Refusal::CannotSend)
        );
        let admin = as_role(UserId::new(), Role::Admin);
        assert_eq!(
            authorize(ConversationKind::Channel, admin, Action::SendMessage),
            Ok(())
        );
    }
}
