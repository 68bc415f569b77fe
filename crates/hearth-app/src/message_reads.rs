//! Reading messages: history windows, threads and full-text search, all for members only.

use hearth_domain::{
    ConversationId, FieldError, Limit, Message, MessageId, SearchCursor, SearchHit, SearchText,
    SeqWindow, ValidationErrors,
};
use hearth_store::MessageSearch;

use crate::{AppError, Caller, MessagePageResult, MessageService};

/// Which part of a conversation's (or thread's) history to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct HistoryQuery {
    /// Only messages with a greater seq.
    pub after_seq: Option<i64>,
    /// Only messages with a smaller seq. Alone, it pages backwards: the page just before it.
    pub before_seq: Option<i64>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

impl HistoryQuery {
    /// The window and page size, or the fields that are wrong.
    fn validate(self) -> Result<(SeqWindow, u32), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let limit = errors.check(Limit::parse(self.limit));
        let mut bad = |field: &str, message: &str| {
            errors.0.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        };
        if self.after_seq.is_some_and(|s| s < 0) {
            bad("after_seq", "must be 0 or more");
        }
        if self.before_seq.is_some_and(|s| s < 1) {
            bad("before_seq", "must be 1 or more");
        }
        if let (Some(after), Some(before)) = (self.after_seq, self.before_seq)
            && before <= after
        {
            bad("before_seq", "must be greater than after_seq");
        }
        errors.into_result()?;
        let window = SeqWindow {
            after: self.after_seq.unwrap_or(0),
            before: self.before_seq,
            newest_first: self.before_seq.is_some() && self.after_seq.is_none(),
        };
        Ok((window, limit.unwrap_or(Limit::DEFAULT).get()))
    }
}

/// A page of one thread.
#[derive(Clone, Debug)]
pub struct ThreadPageResult {
    /// The message that started the thread.
    pub root: Message,
    /// Replies, oldest first.
    pub messages: Vec<Message>,
    /// Whether more replies follow in the direction the page was read.
    pub has_more: bool,
}

/// A search as the client asked it.
#[derive(Clone, Debug, Default)]
pub struct SearchInput {
    /// The query (required).
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

/// A page of search results.
#[derive(Clone, Debug)]
pub struct SearchPage {
    /// Matches, newest first.
    pub hits: Vec<SearchHit>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<SearchCursor>,
}

/// Trims a page read one past `limit` and says whether there was more.
fn trim(mut messages: Vec<Message>, window: SeqWindow, limit: u32) -> (Vec<Message>, bool) {
    let limit = limit as usize;
    let has_more = messages.len() > limit;
    if has_more {
        if window.newest_first {
            // Read newest first: the extra one is the oldest.
            messages.remove(0);
        } else {
            messages.truncate(limit);
        }
    }
    (messages, has_more)
}

impl MessageService {
    /// A window of history, oldest first. With only `before_seq` it is the page just before
    /// it (paging back from the latest); otherwise it starts after `after_seq` (default 0).
    /// `has_more` says whether more lie beyond the page in the direction of reading.
    pub async fn page(
        &self,
        caller: Caller,
        conversation: ConversationId,
        query: HistoryQuery,
    ) -> Result<MessagePageResult, AppError> {
        let (window, limit) = query.validate()?;
        let access = self
            .conversations
            .require_member(caller, conversation)
            .await?;
        let window = window.from(access.history_from);
        let markers = self.store.member_markers(conversation).await?;
        let messages = self
            .store
            .message_page(conversation, None, window, limit + 1)
            .await?;
        let (messages, has_more) = trim(messages, window, limit);
        Ok(MessagePageResult {
            messages,
            has_more,
            markers,
        })
    }

    /// Messages after the message `after` (from the start of what the caller may see when
    /// `None`), in conversation order: seed 002's `sync:request`. The cursor must be a message
    /// of the conversation that the caller sees (else `not_found`); the rest is [`page`]'s
    /// rules, history visibility included.
    ///
    /// [`page`]: Self::page
    pub async fn page_after_message(
        &self,
        caller: Caller,
        conversation: ConversationId,
        after: Option<MessageId>,
        limit: Option<i64>,
    ) -> Result<MessagePageResult, AppError> {
        let after_seq = match after {
            Some(id) => Some(self.get(caller, conversation, id).await?.seq),
            None => None,
        };
        self.list(caller, conversation, after_seq, limit).await
    }

    /// A page of the thread that `message` starts or belongs to, paged like history.
    pub async fn thread(
        &self,
        caller: Caller,
        conversation: ConversationId,
        message: MessageId,
        query: HistoryQuery,
    ) -> Result<ThreadPageResult, AppError> {
        let (window, limit) = query.validate()?;
        let access = self
            .conversations
            .require_member(caller, conversation)
            .await?;
        let named = self.get(caller, conversation, message).await?;
        let root = match named.thread_root() {
            Some(root) => self
                .store
                .message(conversation, root)
                .await?
                .filter(|root| access.sees(root.seq))
                .ok_or(AppError::NotFound("message"))?,
            None => named,
        };
        let window = window.from(access.history_from);
        let replies = self
            .store
            .message_page(conversation, Some(root.id), window, limit + 1)
            .await?;
        let (messages, has_more) = trim(replies, window, limit);
        Ok(ThreadPageResult {
            root,
            messages,
            has_more,
        })
    }

    /// Full-text search of one conversation the caller is in, or of all of them
    /// (`conversation: None`), newest first. Deleted messages, and messages from before the
    /// caller's visible history, are never found.
    pub async fn search(
        &self,
        caller: Caller,
        conversation: Option<ConversationId>,
        input: SearchInput,
    ) -> Result<SearchPage, AppError> {
        let mut errors = ValidationErrors::default();
        let text = match input.q.as_deref() {
            Some(q) => errors.check(SearchText::parse("q", q)),
            None => {
                errors.0.push(FieldError {
                    field: "q".to_owned(),
                    message: "is required".to_owned(),
                });
                None
            }
        };
        let limit = errors.check(Limit::parse(input.limit));
        errors.into_result()?;
        let (Some(text), Some(limit)) = (text, limit) else {
            return Err(AppError::BadRequest("invalid search".to_owned()));
        };
        let after = match input.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(SearchCursor::decode(raw).ok_or_else(|| {
                AppError::BadRequest("cursor is malformed; pass a next_cursor back".to_owned())
            })?),
        };
        if let Some(conversation) = conversation {
            self.conversations
                .require_member(caller, conversation)
                .await?;
        }
        let limit = limit.get();
        let mut hits = self
            .store
            .search_messages(MessageSearch {
                viewer: caller.user_id,
                conversation,
                text,
                after,
                limit: limit + 1,
            })
            .await?;
        let has_more = hits.len() > limit as usize;
        hits.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| hits.last().map(|hit| hit.cursor))
            .flatten();
        Ok(SearchPage { hits, next_cursor })
    }
}
