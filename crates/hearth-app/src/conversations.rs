//! Conversations: the list, direct conversations, membership checks and read markers.

use hearth_domain::{
    ConversationId, ConversationSummary, ReceiptKind, Role, Seq, UserId, ValidationErrors,
};
use hearth_store::{DynStore, Membership};

use crate::realtime::Notifier;
use crate::{AppError, Caller, now};

/// What asking for a direct conversation did.
#[derive(Clone, Debug)]
pub struct DirectOutcome {
    /// The conversation, as the caller sees it.
    pub conversation: ConversationSummary,
    /// Whether it was created by this request.
    pub created: bool,
}

/// The conversation use cases.
#[derive(Clone, Debug)]
pub struct ConversationService {
    store: DynStore,
    notifier: Notifier,
}

impl ConversationService {
    pub(crate) fn new(store: DynStore, notifier: Notifier) -> Self {
        Self { store, notifier }
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
        self.require_member(caller, id).await?;
        self.store
            .conversation_summary(id, caller.user_id)
            .await?
            .ok_or(AppError::NotFound("conversation"))
    }

    /// The direct conversation between the caller and `other_user_id`, created if needed.
    pub async fn direct(
        &self,
        caller: Caller,
        other_user_id: &str,
    ) -> Result<DirectOutcome, AppError> {
        let other: UserId = other_user_id
            .trim()
            .parse()
            .map_err(|_| ValidationErrors::field("other_user_id", "must be a user id (UUID)"))?;
        if other == caller.user_id {
            return Err(ValidationErrors::field(
                "other_user_id",
                "must be someone other than yourself",
            )
            .into());
        }
        if self.store.user(other).await?.is_none() {
            return Err(AppError::NotFound("user"));
        }
        let direct = self
            .store
            .get_or_create_direct(caller.user_id, other, now())
            .await?;
        if direct.created {
            tracing::info!(conversation_id = %direct.id, "direct conversation created");
            // The creation is the first entry of the log; members' devices learn of it now.
            if let Some(created) = self
                .store
                .events_after(direct.id, 0, 1)
                .await?
                .into_iter()
                .next()
            {
                self.notifier.log_event(created).await;
            }
        }
        let conversation = self
            .store
            .conversation_summary(direct.id, caller.user_id)
            .await?
            .ok_or(AppError::NotFound("conversation"))?;
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
        self.require_member(caller, id).await?;
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
        self.require_member(caller, id).await?;
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
        self.require_member(caller, id).await?;
        Ok(self.store.member_markers(id).await?)
    }

    /// Passes when the caller is a member: an unknown conversation is 404, someone else's 403.
    pub async fn require_member(&self, caller: Caller, id: ConversationId) -> Result<(), AppError> {
        self.member_role(caller, id).await.map(|_| ())
    }

    /// The caller's role, when they are a member: an unknown conversation is 404, someone
    /// else's 403.
    pub async fn member_role(&self, caller: Caller, id: ConversationId) -> Result<Role, AppError> {
        match self.store.membership(id, caller.user_id).await? {
            Membership::Member(role) => Ok(role),
            Membership::NotMember => Err(AppError::Forbidden(
                "you are not a member of this conversation",
            )),
            Membership::NoSuchConversation => Err(AppError::NotFound("conversation")),
        }
    }
}
