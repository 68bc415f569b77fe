//! Messages and the values a sender supplies.

use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;
use crate::{ConversationId, Media, MessageId, Reaction, Seq, ThreadSummary, Timestamp, UserId};

/// The text of a message: 1–4,000 Unicode scalar values, not only whitespace; or, as the
/// caption of a message with files, 0–4,000 (see [`MessageContent::parse_caption`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageContent(String);

impl MessageContent {
    /// Longest allowed message, in Unicode scalar values (`char`s).
    pub const MAX_CHARS: usize = 4_000;

    /// Validates message text exactly as sent (it is stored unmodified).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        if raw.trim().is_empty() {
            return Err(ValidationErrors::field("content", "must not be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(ValidationErrors::field(
                "content",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Validates the caption of a message that carries files: it may be empty (or only
    /// whitespace), the length limit stands.
    pub fn parse_caption(raw: &str) -> Result<Self, ValidationErrors> {
        if raw.trim().is_empty() {
            return Ok(Self(raw.to_owned()));
        }
        Self::parse(raw)
    }

    /// Wraps text read back from storage.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The sender's idempotency key for one send: 1–128 characters, a UUID recommended.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    /// Longest allowed key.
    pub const MAX_LEN: usize = 128;

    /// Validates a client message id.
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let len = raw.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(ValidationErrors::field(
                "client_message_id",
                format!("must be 1–{} characters long", Self::MAX_LEN),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(ValidationErrors::field(
                "client_message_id",
                "must not contain control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Wraps a key read back from storage.
    pub fn from_trusted(key: String) -> Self {
        Self(key)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored message, as it is now: edits applied, a tombstone once deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id.
    pub id: MessageId,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// Who sent it.
    pub sender_id: UserId,
    /// The sender's idempotency key.
    pub client_message_id: ClientMessageId,
    /// Its place in the conversation's log.
    pub seq: Seq,
    /// The text; `None` once the message is deleted (a tombstone keeps its place, never its
    /// content).
    pub content: Option<MessageContent>,
    /// When the server stored it.
    pub created_at: Timestamp,
    /// When its author last edited it (`None`: never).
    pub edited_at: Option<Timestamp>,
    /// How many times its author has edited it.
    pub edit_count: u32,
    /// When it was deleted (`Some`: this is a tombstone).
    pub deleted_at: Option<Timestamp>,
    /// The message this one answers, if it is a reply.
    pub reply_to: Option<MessageId>,
    /// The thread this message starts or belongs to, as the thread is now (`None`: no thread).
    pub thread: Option<ThreadSummary>,
    /// The members its text mentions (`@username`), resolved when it was sent or last edited.
    pub mentions: Vec<UserId>,
    /// Its reactions, one entry per emoji in the order they were first used.
    pub reactions: Vec<Reaction>,
    /// The files it carries, in the order they were sent (none once deleted).
    #[serde(default)]
    pub attachments: Vec<Media>,
}

impl Message {
    /// Whether this is the tombstone of a deleted message.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// The text, unless deleted.
    pub fn text(&self) -> Option<&str> {
        self.content.as_ref().map(MessageContent::as_str)
    }

    /// The root of the thread this message belongs to, if it is a reply.
    pub fn thread_root(&self) -> Option<MessageId> {
        self.thread
            .as_ref()
            .map(|t| t.root_id)
            .filter(|root| *root != self.id)
    }
}

/// The conversation-list preview of a message: its first 100 characters on one line.
pub fn preview_of(content: &MessageContent) -> String {
    const PREVIEW_CHARS: usize = 100;
    let one_line: String = content
        .as_str()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= PREVIEW_CHARS {
        return trimmed.to_owned();
    }
    let mut short: String = trimmed.chars().take(PREVIEW_CHARS - 1).collect();
    short.push('…');
    short
}

/// The conversation-list preview of a new message: its text's ([`preview_of`]), or, when
/// the text is an empty caption, the name of its first file.
pub fn preview_of_sent(content: &MessageContent, attachments: &[Media]) -> String {
    let preview = preview_of(content);
    match attachments.first() {
        Some(file) if preview.is_empty() => preview_of(&MessageContent::from_trusted(
            file.file_name.as_str().to_owned(),
        )),
        _ => preview,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_limit_counts_scalar_values_not_bytes() {
        assert!(MessageContent::parse(&"é".repeat(4_000)).is_ok());
        assert!(MessageContent::parse(&"é".repeat(4_001)).is_err());
        assert!(MessageContent::parse(" \n ").is_err());
    }

    #[test]
    fn preview_is_one_line_and_bounded() {
        let content = MessageContent::from_trusted(format!("a\nb{}", "x".repeat(200)));
        let preview = preview_of(&content);
        assert!(!preview.contains('\n'));
        assert_eq!(preview.chars().count(), 100);
        assert!(preview.ends_with('…'));
    }
}
