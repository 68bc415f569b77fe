//! The conversation log, read for sync.

use hearth_domain::{ConversationEvent, ConversationId, Seq, UserId};

use crate::StoreError;

/// Reads of the conversation log.
#[async_trait::async_trait]
pub trait SyncStore: Send + Sync {
    /// The conversations `user` is a member of, with the seq of each one's latest event.
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, Seq)>, StoreError>;

    /// Events with `seq > after`, in seq order, at most `limit`.
    async fn events_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<ConversationEvent>, StoreError>;
}
