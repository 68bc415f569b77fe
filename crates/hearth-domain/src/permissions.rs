//! Who may change a message. Every face asks these rules through the use cases, so a rule
//! changed here changes for REST, WebSocket and every other face at once.
//!
//! Today only direct conversations exist, whose members all have the role `member`: authors
//! edit and delete their own messages. The groups work extends [`may_delete`] with the
//! `can_delete_messages` permission; owners and admins, who hold every permission, already
//! pass. This module decides only; it never reads or writes anything.

use std::time::Duration;

use crate::{Message, Role, Timestamp, UserId};

/// A member of a conversation as the permission rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acting {
    /// Who is acting.
    pub user_id: UserId,
    /// Their role in the conversation.
    pub role: Role,
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
    member: Acting,
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

/// Whether `member` may delete `message`: its author always; owners and admins, who hold
/// every permission, too. The groups work adds members holding `can_delete_messages`.
pub fn may_delete(member: Acting, message: &Message) -> bool {
    member.user_id == message.sender_id || matches!(member.role, Role::Owner | Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientMessageId, ConversationId, MessageContent, MessageId};

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
        }
    }

    fn member(user_id: UserId) -> Acting {
        Acting {
            user_id,
            role: Role::Member,
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
            let other = Acting {
                user_id: UserId::new(),
                role,
            };
            assert!(may_delete(other, &m));
        }
    }
}
