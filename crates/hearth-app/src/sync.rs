//! Sync: the bootstrap a fresh client starts from, and the changes after its cursors.
//!
//! A cursor is a conversation's `seq`. `changes` returns, for every conversation of the
//! caller, the log after the client's cursor for it — from the start when the client named
//! none (a conversation it has not seen yet). Cursors naming conversations the caller is not
//! in are ignored. A client that applies the events in order converges to the server's state.

use std::collections::HashMap;

use hearth_domain::{
    ConversationEvent, ConversationId, ConversationSummary, Limit, Message, Seq, User,
    ValidationErrors,
};
use hearth_store::DynStore;

use crate::{AppError, Caller};

/// How many recent messages bootstrap carries per conversation.
const BOOTSTRAP_MESSAGES: u32 = 20;

/// What a fresh client needs.
#[derive(Clone, Debug)]
pub struct BootstrapResult {
    /// The caller.
    pub me: User,
    /// Their conversations.
    pub conversations: Vec<ConversationSummary>,
    /// The latest messages of each, oldest first.
    pub recent_messages: Vec<(ConversationId, Vec<Message>)>,
}

/// The changes after the client's cursors.
#[derive(Clone, Debug)]
pub struct ChangesResult {
    /// Per conversation with news: its events and whether more follow.
    pub conversations: Vec<(ConversationId, Vec<ConversationEvent>, bool)>,
}

impl ChangesResult {
    /// Whether any conversation has more events than this answer carries.
    pub fn has_more(&self) -> bool {
        self.conversations.iter().any(|(_, _, more)| *more)
    }
}

/// The sync use cases.
#[derive(Clone, Debug)]
pub struct SyncService {
    store: DynStore,
}

impl SyncService {
    pub(crate) fn new(store: DynStore) -> Self {
        Self { store }
    }

    /// Everything a fresh client needs to draw its first screen.
    pub async fn bootstrap(&self, caller: Caller) -> Result<BootstrapResult, AppError> {
        let me = self
            .store
            .user(caller.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        let conversations = self.store.conversation_summaries(caller.user_id).await?;
        let mut recent_messages = Vec::with_capacity(conversations.len());
        for summary in &conversations {
            let id = summary.conversation.id;
            recent_messages.push((
                id,
                self.store.recent_messages(id, BOOTSTRAP_MESSAGES).await?,
            ));
        }
        Ok(BootstrapResult {
            me,
            conversations,
            recent_messages,
        })
    }

    /// The events after each cursor, at most `limit` per conversation.
    pub async fn changes(
        &self,
        caller: Caller,
        cursors: &HashMap<ConversationId, Seq>,
        limit: Option<i64>,
    ) -> Result<ChangesResult, AppError> {
        let limit = Limit::parse(limit)?.get();
        if let Some((id, _)) = cursors.iter().find(|(_, seq)| **seq < 0) {
            return Err(ValidationErrors::field(
                "after_seq_by_conversation",
                format!("seq of {id} must be 0 or more"),
            )
            .into());
        }
        let mut conversations = Vec::new();
        for (id, last_seq) in self.store.conversation_cursors(caller.user_id).await? {
            let after = cursors.get(&id).copied().unwrap_or(0);
            if after >= last_seq {
                continue;
            }
            let mut events = self.store.events_after(id, after, limit + 1).await?;
            let has_more = events.len() > limit as usize;
            events.truncate(limit as usize);
            conversations.push((id, events, has_more));
        }
        Ok(ChangesResult { conversations })
    }
}
