//! The conversation log, read for sync.

use hearth_domain::{ConversationEvent, ConversationId, Seq, UserId};

use crate::StoreError;

/// Where a member's sync of one conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConversationCursor {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The seq of its latest event.
    pub last_seq: Seq,
    /// The first seq the member sees (history visibility).
    pub history_from: Seq,
}

/// Reads of the conversation log.
#[async_trait::async_trait]
pub trait SyncStore: Send + Sync {
    /// The conversations `user` is a member of, with the seq of each one's latest event and
    /// the first seq the user sees.
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<ConversationCursor>, StoreError>;

    /// Events with `seq > after` and `seq >= visible_from`, in seq order, at most `limit`;
    /// events about a message numbered before `visible_from` are left out (history
    /// visibility).
    async fn events_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<ConversationEvent>, StoreError>;
}
