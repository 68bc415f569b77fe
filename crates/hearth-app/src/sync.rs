//! Sync: the bootstrap a fresh client starts from, and the changes after its cursors.
//!
//! A cursor is a conversation's `seq`. `changes` returns, for every conversation of the
//! caller, the log after the client's cursor for it — from the start when the client named
//! none (a conversation it has not seen yet). Cursors naming conversations the caller is not
//! in are not answered with events; they are listed in `gone` (the caller left, was removed,
//! or the conversation was deleted) so the client can drop them. A client that applies the
//! events in order converges to the server's state. Every read starts at the caller's visible
//! history (`Access::history_from`).

use std::collections::HashMap;

use hearth_domain::{
    ConversationEvent, ConversationId, ConversationSummary, Limit, MemberMarker, Message, Seq,
    User, ValidationErrors,
};
use hearth_store::DynStore;

use crate::{AppError, Caller, ConversationService};

/// How many recent messages bootstrap carries per conversation.
const BOOTSTRAP_MESSAGES: u32 = 20;

/// What a fresh client needs.
#[derive(Clone, Debug)]
pub struct BootstrapResult {
    /// The caller.
    pub me: User,
    /// Their conversations.
    pub conversations: Vec<ConversationSummary>,
    /// The latest messages of each, oldest first, in the order of `conversations`.
    pub recent_messages: Vec<(ConversationId, Vec<Message>)>,
}

/// The log of one conversation after a cursor.
#[derive(Clone, Debug)]
pub struct ConversationChangesResult {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its events after the cursor, in seq order.
    pub events: Vec<ConversationEvent>,
    /// Whether more follow the last one.
    pub has_more: bool,
    /// The first seq the caller may see (history visibility).
    pub history_from: Seq,
    /// Every member's markers, for the delivery status of the messages in `events`.
    pub markers: Vec<MemberMarker>,
}

/// The changes after the client's cursors.
#[derive(Clone, Debug)]
pub struct ChangesResult {
    /// One entry per conversation with news.
    pub conversations: Vec<ConversationChangesResult>,
    /// Conversations the client named that the caller is no longer in (or that are gone).
    pub gone: Vec<ConversationId>,
}

impl ChangesResult {
    /// Whether any conversation has more events than this answer carries.
    pub fn has_more(&self) -> bool {
        self.conversations.iter().any(|c| c.has_more)
    }
}

/// The sync use cases.
#[derive(Clone, Debug)]
pub struct SyncService {
    store: DynStore,
    conversations: ConversationService,
}

impl SyncService {
    pub(crate) fn new(store: DynStore, conversations: ConversationService) -> Self {
        Self {
            store,
            conversations,
        }
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
            let from = summary.me.history_from;
            recent_messages.push((
                id,
                self.store
                    .recent_messages(id, from, BOOTSTRAP_MESSAGES)
                    .await?,
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
        let mine = self.store.conversation_cursors(caller.user_id).await?;
        for cursor in &mine {
            let id = cursor.conversation_id;
            let after = cursors.get(&id).copied().unwrap_or(0);
            if after >= cursor.last_seq {
                continue;
            }
            conversations.push(
                self.log_after(id, after, cursor.history_from, limit)
                    .await?,
            );
        }
        let mut gone: Vec<ConversationId> = cursors
            .keys()
            .filter(|id| !mine.iter().any(|c| c.conversation_id == **id))
            .copied()
            .collect();
        gone.sort_unstable();
        Ok(ChangesResult {
            conversations,
            gone,
        })
    }

    /// The log of one conversation the caller is in, after `after_seq` (the WebSocket `sync`).
    pub async fn conversation_changes(
        &self,
        caller: Caller,
        conversation: ConversationId,
        after_seq: Seq,
        limit: Option<i64>,
    ) -> Result<ConversationChangesResult, AppError> {
        let limit = Limit::parse(limit)?.get();
        if after_seq < 0 {
            return Err(ValidationErrors::field("after_seq", "must be 0 or more").into());
        }
        let access = self
            .conversations
            .require_member(caller, conversation)
            .await?;
        self.log_after(conversation, after_seq, access.history_from, limit)
            .await
    }

    async fn log_after(
        &self,
        id: ConversationId,
        after: Seq,
        visible_from: Seq,
        limit: u32,
    ) -> Result<ConversationChangesResult, AppError> {
        let mut events = self
            .store
            .events_after(id, after, visible_from, limit + 1)
            .await?;
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let markers = self.store.member_markers(id).await?;
        Ok(ConversationChangesResult {
            conversation_id: id,
            events,
            has_more,
            history_from: visible_from,
            markers,
        })
    }
}
