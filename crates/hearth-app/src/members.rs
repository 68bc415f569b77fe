//! Membership: joining and leaving, adding and removing members, roles and permissions,
//! ownership transfer, and join requests.
//!
//! Each use case asks the domain's permission rules (`authorize`) with the caller's access and,
//! where there is one, the target member's; the store then makes the change as one write that
//! logs its event, which is announced to the members (and to the member it is about).

use hearth_domain::{
    Access, Action, ConversationEvent, ConversationId, ConversationKind, ConversationSummary,
    EventKind, Member, Permissions, Role, UserId, ValidationErrors,
};
use hearth_store::{ConflictKind, Departure, JoinRequest, NewMember, StoreError};

use crate::{AppError, Caller, ConversationService, UserLookup, now};

/// What asking to join did.
#[derive(Clone, Debug)]
pub enum JoinOutcome {
    /// The caller is a member now.
    Joined(Box<ConversationSummary>),
    /// The conversation requires approval: the request waits for a manager.
    Requested(JoinRequest),
}

/// A change of a member's role or permissions: absent fields keep their value.
#[derive(Clone, Debug, Default)]
pub struct MemberUpdate {
    /// `admin` or `member`.
    pub role: Option<String>,
    /// Permissions to set (ordinary members only).
    pub permissions: Option<PermissionsPatch>,
}

/// Permissions to change; absent ones keep their value.
#[derive(Clone, Copy, Debug, Default)]
pub struct PermissionsPatch {
    /// May post.
    pub can_send_messages: Option<bool>,
    /// May add and remove members.
    pub can_manage_participants: Option<bool>,
    /// May change settings.
    pub can_change_settings: Option<bool>,
    /// May delete others' messages.
    pub can_delete_messages: Option<bool>,
    /// May mute and unmute members.
    pub can_moderate_content: Option<bool>,
    /// Follows the role: setting it is refused with a pointer to `role`.
    pub is_admin: Option<bool>,
}

impl PermissionsPatch {
    fn apply(self, to: Permissions) -> Permissions {
        Permissions {
            can_send_messages: self.can_send_messages.unwrap_or(to.can_send_messages),
            can_manage_participants: self
                .can_manage_participants
                .unwrap_or(to.can_manage_participants),
            can_change_settings: self.can_change_settings.unwrap_or(to.can_change_settings),
            can_delete_messages: self.can_delete_messages.unwrap_or(to.can_delete_messages),
            can_moderate_content: self.can_moderate_content.unwrap_or(to.can_moderate_content),
        }
    }
}

/// A membership store error, worded for the user.
fn membership_error(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(ConflictKind::AlreadyMember) => {
            AppError::Conflict("the user is already a member".to_owned())
        }
        StoreError::Conflict(ConflictKind::JoinRequestPending) => {
            AppError::Conflict("a request to join is already waiting for approval".to_owned())
        }
        StoreError::Conflict(ConflictKind::NotOwner) => {
            AppError::Conflict("ownership changed meanwhile; reload and try again".to_owned())
        }
        other => AppError::from(other),
    }
}

impl ConversationService {
    /// A page of members in join order, for a member; says whether more follow.
    pub async fn members(
        &self,
        caller: Caller,
        id: ConversationId,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<(Vec<Member>, bool), AppError> {
        let mut errors = ValidationErrors::default();
        let limit = errors.check(hearth_domain::Limit::parse(limit));
        let offset = match offset {
            None => Some(0),
            Some(n) => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    errors
                        .0
                        .extend(ValidationErrors::field("offset", "must be 0 or more").0);
                    None
                }
            },
        };
        errors.into_result()?;
        let (Some(limit), Some(offset)) = (limit, offset) else {
            return Err(AppError::BadRequest("invalid page".to_owned()));
        };
        self.member(caller, id).await?;
        let limit = limit.get();
        let mut members = self.store.members(id, offset, limit + 1).await?;
        let has_more = members.len() > limit as usize;
        members.truncate(limit as usize);
        Ok((members, has_more))
    }

    /// Adds the named user (`can_manage_participants`; the user must accept being added by
    /// the caller). Returns the new member.
    pub async fn add_member(
        &self,
        caller: Caller,
        id: ConversationId,
        who: UserLookup,
    ) -> Result<Member, AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::AddMember)?;
        let user = who.resolve(&self.store).await?;
        self.check_invite(caller, user.id).await?;
        let admission = admission(id, membership.conversation().kind, user.id, caller.user_id);
        let permissions = admission.permissions;
        let event = self
            .store
            .add_member(admission)
            .await
            .map_err(membership_error)?;
        let member = new_member(user, &event, permissions);
        self.committed(id, event).await;
        Ok(member)
    }

    /// Removes a member (`can_manage_participants`; never the owner; admins only by the
    /// owner).
    pub async fn remove_member(
        &self,
        caller: Caller,
        id: ConversationId,
        user: &str,
    ) -> Result<(), AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        let target = self.target(id, user).await?;
        membership.authorize(Action::RemoveMember(target))?;
        let event = self
            .store
            .remove_member(
                id,
                target.user_id,
                Departure::Removed { by: caller.user_id },
                now(),
            )
            .await
            .map_err(membership_error)?;
        self.committed(id, event).await;
        self.notifier.member_gone(id, target.user_id);
        Ok(())
    }

    /// The caller leaves (not the owner, who transfers ownership or deletes instead).
    pub async fn leave(&self, caller: Caller, id: ConversationId) -> Result<(), AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::Leave)?;
        let event = self
            .store
            .remove_member(id, caller.user_id, Departure::Left, now())
            .await
            .map_err(membership_error)?;
        self.committed(id, event).await;
        self.notifier.member_gone(id, caller.user_id);
        Ok(())
    }

    /// The caller joins a room or channel, or asks to join when approval is required. A
    /// group is private: joining one is only by request, when it takes requests.
    pub async fn join(&self, caller: Caller, id: ConversationId) -> Result<JoinOutcome, AppError> {
        self.count_change(caller).await?;
        let roster = self.roster(id, caller.user_id).await?;
        if roster.member(caller.user_id).is_some() {
            return Err(AppError::Conflict(
                "you are already a member of this conversation".to_owned(),
            ));
        }
        let conversation = roster.conversation.clone();
        let by_request = conversation.settings.require_approval;
        match conversation.kind {
            ConversationKind::Direct => {
                return Err(AppError::Forbidden(
                    "a direct conversation always has exactly its two people",
                ));
            }
            ConversationKind::Group if !by_request => {
                return Err(AppError::Forbidden(
                    "this group is private; ask one of its admins to add you",
                ));
            }
            _ => {}
        }
        if by_request {
            let request = self
                .store
                .request_join(id, caller.user_id, now())
                .await
                .map_err(membership_error)?;
            tracing::info!(conversation_id = %id, "join requested");
            self.notifier.join_requested(&request).await;
            return Ok(JoinOutcome::Requested(request));
        }
        let event = self
            .store
            .add_member(admission(
                id,
                conversation.kind,
                caller.user_id,
                caller.user_id,
            ))
            .await
            .map_err(membership_error)?;
        self.committed(id, event).await;
        Ok(JoinOutcome::Joined(Box::new(
            self.summary(caller, id).await?,
        )))
    }

    /// Changes a member's role and permissions (owners and admins; moderators may only mute
    /// and unmute). Returns the member as they are now.
    pub async fn update_member(
        &self,
        caller: Caller,
        id: ConversationId,
        user: &str,
        update: MemberUpdate,
    ) -> Result<Member, AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        let target = self.target(id, user).await?;
        let mut errors = ValidationErrors::default();
        let role = match update.role.as_deref().map(str::trim) {
            None => None,
            Some("owner") => {
                errors.0.extend(
                    ValidationErrors::field(
                        "role",
                        "ownership moves only by transfer (POST …/transfer)",
                    )
                    .0,
                );
                None
            }
            Some(raw) => match Role::parse(raw) {
                Some(role) => Some(role),
                None => {
                    errors
                        .0
                        .extend(ValidationErrors::field("role", "must be admin or member").0);
                    None
                }
            },
        };
        if update.permissions.is_some_and(|p| p.is_admin.is_some()) {
            errors.0.extend(
                ValidationErrors::field(
                    "permissions.is_admin",
                    "follows the role; set role to admin or member instead",
                )
                .0,
            );
        }
        if update.role.is_none() && update.permissions.is_none() {
            errors
                .0
                .extend(ValidationErrors::field("role", "give a role or permissions to change").0);
        }
        errors.into_result()?;
        let kind = membership.conversation().kind;
        let new_role = role.unwrap_or(target.role);
        if new_role != target.role {
            membership.authorize(Action::ChangeRole {
                target,
                to: new_role,
            })?;
        }
        // Back to member: the kind's defaults, unless permissions are given as well.
        let base = if new_role == Role::Member && target.role != Role::Member {
            kind.member_defaults()
        } else {
            target.permissions
        };
        let permissions = match update.permissions {
            Some(patch) => {
                let to = patch.apply(base);
                let as_member = Access {
                    role: new_role,
                    ..target
                };
                membership.authorize(Action::ChangePermissions {
                    target: as_member,
                    to,
                })?;
                to
            }
            None => base,
        };
        let event = self
            .store
            .update_member(
                id,
                target.user_id,
                caller.user_id,
                new_role,
                permissions,
                now(),
            )
            .await
            .map_err(membership_error)?;
        self.committed(id, event).await;
        self.store
            .member(id, target.user_id)
            .await?
            .ok_or(AppError::NotFound("member"))
    }

    /// Hands ownership to another member (the owner only); the former owner becomes an admin.
    pub async fn transfer_ownership(
        &self,
        caller: Caller,
        id: ConversationId,
        to: &str,
    ) -> Result<ConversationSummary, AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        let target = self.target(id, to).await?;
        membership.authorize(Action::TransferOwnership(target))?;
        let event = self
            .store
            .transfer_ownership(id, caller.user_id, target.user_id, now())
            .await
            .map_err(membership_error)?;
        tracing::info!(conversation_id = %id, "ownership transferred");
        self.committed(id, event).await;
        self.summary(caller, id).await
    }

    /// Pending join requests (`can_manage_participants`).
    pub async fn join_requests(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<Vec<JoinRequest>, AppError> {
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::ReviewJoinRequests)?;
        Ok(self.store.join_requests(id).await?)
    }

    /// Approves a pending request (`can_manage_participants`): the user becomes a member.
    pub async fn approve_join_request(
        &self,
        caller: Caller,
        id: ConversationId,
        user: &str,
    ) -> Result<Member, AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::ReviewJoinRequests)?;
        let user = UserLookup::by_id("user_id", user)
            .resolve(&self.store)
            .await?;
        let admission = admission(id, membership.conversation().kind, user.id, caller.user_id);
        let permissions = admission.permissions;
        let event = self
            .store
            .approve_join_request(admission)
            .await
            .map_err(membership_error)?;
        let member = new_member(user, &event, permissions);
        self.committed(id, event).await;
        Ok(member)
    }

    /// Denies a pending request (`can_manage_participants`).
    pub async fn deny_join_request(
        &self,
        caller: Caller,
        id: ConversationId,
        user: &str,
    ) -> Result<(), AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::ReviewJoinRequests)?;
        let user = parse_user_id(user)?;
        if self.store.deny_join_request(id, user).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("join_request"))
        }
    }

    /// The member `user` names, for a rule about them: 404 when they are not one.
    async fn target(&self, id: ConversationId, user: &str) -> Result<Access, AppError> {
        let user = parse_user_id(user)?;
        self.roster(id, user)
            .await?
            .member(user)
            .ok_or(AppError::NotFound("member"))
    }
}

/// A user id from a path: malformed is 404 like an unknown one.
fn parse_user_id(raw: &str) -> Result<UserId, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound("member"))
}

/// `user` becoming a member of conversation `id` (of `kind`) now, let in by `actor`, with
/// the kind's default permissions.
fn admission(id: ConversationId, kind: ConversationKind, user: UserId, actor: UserId) -> NewMember {
    NewMember {
        conversation: id,
        user,
        actor,
        permissions: kind.member_defaults(),
        at: now(),
    }
}

/// The member a `member_joined` event made.
fn new_member(
    user: hearth_domain::User,
    event: &ConversationEvent,
    permissions: Permissions,
) -> Member {
    let role = match &event.kind {
        EventKind::MemberJoined { role, .. } => *role,
        _ => Role::Member,
    };
    Member {
        user,
        role,
        permissions,
        joined_at: event.created_at,
        joined_seq: event.seq,
        last_read_seq: event.seq,
        last_delivered_seq: event.seq,
    }
}
