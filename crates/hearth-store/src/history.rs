//! Pages of history and threads, and the member lookups mentions need.

use hearth_domain::{ConversationId, Message, MessageId, SeqWindow, UserId};

use crate::StoreError;

/// Paged reads of a conversation's messages.
#[async_trait::async_trait]
pub trait MessagePageStore: Send + Sync {
    /// Up to `limit` messages of `conversation` inside `window`, oldest first: the oldest
    /// ones of the window, or the newest ones when `window.newest_first`. With `thread`, only
    /// the replies of that thread (the root itself is not one of them). Tombstones keep their
    /// place. Callers ask one more than they show to learn `has_more` without counting.
    async fn message_page(
        &self,
        conversation: ConversationId,
        thread: Option<MessageId>,
        window: SeqWindow,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;
}

/// Looking members up by name, for mentions.
#[async_trait::async_trait]
pub trait MentionStore: Send + Sync {
    /// The members of `conversation` whose (lower-case) username is one of `names`, as
    /// `(username, id)` pairs.
    async fn members_named(
        &self,
        conversation: ConversationId,
        names: &[String],
    ) -> Result<Vec<(String, UserId)>, StoreError>;
}
