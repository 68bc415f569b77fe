//! Full-text search of messages.
//!
//! Each backend uses its own engine (SQLite FTS5, PostgreSQL full-text search) behind this
//! one port, and both must find the same messages: every term by its stem, phrases in order,
//! prefixes; never a deleted message; never outside the viewer's conversations.

use hearth_domain::{ConversationId, SearchCursor, SearchHit, SearchText, UserId};

use crate::StoreError;

/// A search, already validated and allowed by the use case.
#[derive(Clone, Debug)]
pub struct MessageSearch {
    /// Who searches: only conversations they are a member of are searched.
    pub viewer: UserId,
    /// Only this conversation (`None`: all of the viewer's).
    pub conversation: Option<ConversationId>,
    /// What to look for.
    pub text: SearchText,
    /// Continue after this result of an earlier page.
    pub after: Option<SearchCursor>,
    /// Most results.
    pub limit: u32,
}

/// Searching messages.
#[async_trait::async_trait]
pub trait SearchStore: Send + Sync {
    /// Messages matching every term, newest first, at most `limit`, each with a snippet
    /// marking the matches and the cursor to continue after it. Deleted messages and
    /// conversations the viewer is not a member of are never searched.
    async fn search_messages(&self, search: MessageSearch) -> Result<Vec<SearchHit>, StoreError>;
}
