//! Conversations: the list, direct conversations, who is a member, and read markers.
//!
//! [`ConversationService::member`] is the one gate every member-only use case passes: an
//! unknown (or deleted) conversation is 404, someone else's is 403, and a member gets their
//! [`Access`] — role, permissions and the first seq they may see — for the rules to decide
//! the rest. Creating groups, rooms and channels, settings and discovery are in
//! `conversation_setup.rs`; membership changes in `members.rs`.

use std::sync::Arc;

use hearth_domain::{
    Access, Action, Conversation, ConversationEvent, ConversationId, ConversationKind,
    ConversationSummary, ReceiptKind, Refusal, Seq, UserId, ValidationErrors, authorize,
    may_post_directly, may_start_direct,
};
use hearth_store::DynStore;

use crate::blocks::Blocks;
use crate::realtime::Notifier;
use crate::rosters::{Roster, Rosters};
use crate::{AppError, Caller, RateLimits, UserLookup, now};

/// What asking for a direct conversation did.
#[derive(Clone, Debug)]
pub struct DirectOutcome {
    /// The conversation, as the caller sees it.
    pub conversation: ConversationSummary,
    /// Whether it was created by this request.
    pub created: bool,
}

/// A conversation and the caller's standing in it, for a member.
#[derive(Clone, Debug)]
pub struct Membership {
    /// The conversation and everyone in it, shared with the roster cache (never copied).
    roster: Arc<Roster>,
    /// The caller's role, permissions and visible history.
    pub access: Access,
}

impl Membership {
    /// The conversation.
    pub fn conversation(&self) -> &Conversation {
        &self.roster.conversation
    }

    /// Every member's access: the realtime audience of the conversation.
    pub fn members(&self) -> &[Access] {
        &self.roster.members
    }

    /// Asks the permission rules; a refusal is `forbidden` with the rule's message.
    pub fn authorize(&self, action: Action) -> Result<(), AppError> {
        authorize(self.conversation().kind, self.access, action).map_err(refused)
    }
}

/// A refusal of the permission rules as the use cases answer it.
pub(crate) fn refused(refusal: Refusal) -> AppError {
    AppError::Forbidden(refusal.message())
}

/// The conversation use cases.
#[derive(Clone, Debug)]
pub struct ConversationService {
    pub(crate) store: DynStore,
    pub(crate) notifier: Notifier,
    limits: Arc<RateLimits>,
    rosters: Rosters,
    blocks: Blocks,
}

impl ConversationService {
    pub(crate) fn new(
        store: DynStore,
        notifier: Notifier,
        limits: Arc<RateLimits>,
        rosters: Rosters,
        blocks: Blocks,
    ) -> Self {
        Self {
            store,
            notifier,
            limits,
            rosters,
            blocks,
        }
    }

    /// The conversation's roster (cached; see `rosters.rs`), or 404.
    pub(crate) async fn roster(
        &self,
        id: ConversationId,
        asking: UserId,
    ) -> Result<Arc<Roster>, AppError> {
        self.rosters
            .get(id, asking)
            .await?
            .ok_or(AppError::NotFound("conversation"))
    }

    /// A change of membership or settings is durable: forget the cached roster. Call it
    /// before announcing the change, so the announcement reaches the roster as it is now.
    pub(crate) fn changed(&self, id: ConversationId) {
        self.rosters.forget(id);
    }

    /// A change of membership or settings is durable and logged as `event`: forget the
    /// cached roster, then announce the event to the roster as it is now.
    pub(crate) async fn committed(&self, id: ConversationId, event: ConversationEvent) {
        self.changed(id);
        self.notifier.log_event(event).await;
    }

    /// Counts one conversation change against the caller's quota.
    pub(crate) async fn count_change(&self, caller: Caller) -> Result<(), AppError> {
        self.limits.conversation_change(caller.user_id).await
    }

    /// The caller's conversations, most recently active first.
    pub async fn list(&self, caller: Caller) -> Result<Vec<ConversationSummary>, AppError> {
        Ok(self.store.conversation_summaries(caller.user_id).await?)
    }

    /// One conversation the caller is in.
    pub async fn get(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<ConversationSummary, AppError> {
        self.member(caller, id).await?;
        self.summary(caller, id).await
    }

    /// The conversation as the caller sees it in their list.
    pub(crate) async fn summary(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<ConversationSummary, AppError> {
        self.store
            .conversation_summary(id, caller.user_id)
            .await?
            .ok_or(AppError::NotFound("conversation"))
    }

    /// The direct conversation between the caller and the user `other` names, created if
    /// needed. Starting one asks the other user's consent (`direct_messages` privacy) and
    /// is refused when either blocked the other.
    pub async fn direct(
        &self,
        caller: Caller,
        other: UserLookup,
    ) -> Result<DirectOutcome, AppError> {
        self.count_change(caller).await?;
        let field = other.field();
        let other = other.resolve(&self.store).await?;
        if other.id == caller.user_id {
            return Err(
                ValidationErrors::field(field, "must be someone other than yourself").into(),
            );
        }
        let relation = self.store.relation(caller.user_id, other.id).await?;
        let privacy = self.store.privacy(other.id).await?;
        may_start_direct(privacy, relation)
            .map_err(|refusal| AppError::Forbidden(refusal.message()))?;
        let direct = self
            .store
            .get_or_create_direct(caller.user_id, other.id, now())
            .await?;
        if direct.created {
            tracing::info!(conversation_id = %direct.id, "direct conversation created");
            // The creation is the first entry of the log; members' devices learn of it now.
            if let Some(created) = self
                .store
                .events_after(direct.id, 0, 0, 1)
                .await?
                .into_iter()
                .next()
            {
                self.notifier.log_event(created).await;
            }
        }
        let conversation = self.summary(caller, direct.id).await?;
        Ok(DirectOutcome {
            conversation,
            created: direct.created,
        })
    }

    /// Moves the caller's read marker forward to `seq`; returns the marker and unread count.
    pub async fn mark_read(
        &self,
        caller: Caller,
        id: ConversationId,
        seq: Seq,
    ) -> Result<(Seq, i64), AppError> {
        if seq < 0 {
            return Err(ValidationErrors::field("seq", "must be 0 or more").into());
        }
        self.member(caller, id).await?;
        let (marker, unread) = self.store.mark_read(id, caller.user_id, seq).await?;
        self.notifier
            .receipt(id, caller.user_id, ReceiptKind::Read, marker)
            .await;
        Ok((marker, unread))
    }

    /// Moves the caller's delivered marker forward to `seq` (a device has the messages up to
    /// it); returns the marker.
    pub async fn mark_delivered(
        &self,
        caller: Caller,
        id: ConversationId,
        seq: Seq,
    ) -> Result<Seq, AppError> {
        if seq < 0 {
            return Err(ValidationErrors::field("seq", "must be 0 or more").into());
        }
        self.member(caller, id).await?;
        let marker = self.store.mark_delivered(id, caller.user_id, seq).await?;
        self.notifier
            .receipt(id, caller.user_id, ReceiptKind::Delivered, marker)
            .await;
        Ok(marker)
    }

    /// Every member's delivered and read markers (for delivery status), for a member.
    pub async fn markers(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<Vec<hearth_domain::MemberMarker>, AppError> {
        self.member(caller, id).await?;
        Ok(self.store.member_markers(id).await?)
    }

    /// The conversation and the caller's access, when they are a member: an unknown (or
    /// deleted) conversation is 404, someone else's 403.
    pub async fn member(&self, caller: Caller, id: ConversationId) -> Result<Membership, AppError> {
        let roster = self.roster(id, caller.user_id).await?;
        match roster.member(caller.user_id) {
            Some(access) => Ok(Membership { roster, access }),
            None => Err(AppError::Forbidden(
                "you are not a member of this conversation",
            )),
        }
    }

    /// Passes when the caller is a member (see [`member`](Self::member)); returns their
    /// access.
    pub async fn require_member(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<Access, AppError> {
        Ok(self.member(caller, id).await?.access)
    }

    /// Passes when the caller may post in the conversation: the permission rules, and in a
    /// direct conversation no block between the two. The membership carries every member's
    /// access, the realtime audience of the message.
    pub(crate) async fn may_send(
        &self,
        caller: Caller,
        id: ConversationId,
    ) -> Result<Membership, AppError> {
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::SendMessage)?;
        if membership.conversation().kind != ConversationKind::Direct {
            return Ok(membership);
        }
        let other = membership
            .members()
            .iter()
            .find(|a| a.user_id != caller.user_id)
            .map(|a| a.user_id);
        if let Some(other) = other {
            let blocked = self.blocks.between(caller.user_id, other).await?;
            may_post_directly(blocked).map_err(|refusal| AppError::Forbidden(refusal.message()))?;
        }
        Ok(membership)
    }
}
