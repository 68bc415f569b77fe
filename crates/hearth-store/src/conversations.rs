//! Conversations, membership and read markers.

use hearth_domain::{
    ConversationId, ConversationSummary, MemberMarker, Role, Seq, Timestamp, UserId,
};

use crate::StoreError;

/// Where a user stands in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    /// No conversation has this id.
    NoSuchConversation,
    /// The conversation exists; the user is not in it.
    NotMember,
    /// The user is a member with this role.
    Member(Role),
}

/// The result of get-or-create of a direct conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectConversation {
    /// The conversation.
    pub id: ConversationId,
    /// Whether this call created it.
    pub created: bool,
}

/// Storage of conversations and members.
#[async_trait::async_trait]
pub trait ConversationStore: Send + Sync {
    /// The direct conversation of the two users, created (with its `conversation_created`
    /// event at seq 1) if there is none. There is exactly one per pair, even under concurrent
    /// calls. `a` is recorded as the creator.
    async fn get_or_create_direct(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> Result<DirectConversation, StoreError>;

    /// Where `user` stands in `conversation`.
    async fn membership(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Membership, StoreError>;

    /// The viewer's conversations, most recently active first.
    async fn conversation_summaries(
        &self,
        viewer: UserId,
    ) -> Result<Vec<ConversationSummary>, StoreError>;

    /// One conversation as the viewer sees it (`None` if it does not exist or they are not in
    /// it).
    async fn conversation_summary(
        &self,
        conversation: ConversationId,
        viewer: UserId,
    ) -> Result<Option<ConversationSummary>, StoreError>;

    /// Moves the member's read marker forward to `seq` (clamped to the conversation's last
    /// seq; never backwards), and the delivered marker with it (what was read was delivered).
    /// Returns the read marker and the unread count after the move.
    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<(Seq, i64), StoreError>;

    /// Moves the member's delivered marker forward to `seq` (clamped to the conversation's
    /// last seq; never backwards). Returns the marker after the move.
    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError>;

    /// Every member's markers (empty for an unknown conversation).
    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError>;
}
