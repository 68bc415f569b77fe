//! Seed 002's Socket.IO events, verbatim: the payloads of `message:send`, `message:ack`,
//! `message:new`, `sync:request`, `sync:batch`, `typing:start` / `typing:stop` and `error`.
//!
//! Field names are seed 002's camelCase; Hearth adds fields (`seq`, `hasMore`) and never
//! renames one. Ids are UUID strings, times RFC 3339. The event names are constants here so
//! that the server and its clients cannot spell them differently.

use hearth_domain::{Message, Seq, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::MediaDto;

/// Client → server: send a message (with an ack callback).
pub const MESSAGE_SEND: &str = "message:send";
/// Server → client: the sending socket's copy of a successful send's ack.
pub const MESSAGE_ACK: &str = "message:ack";
/// Server → client: a new message in one of the user's conversations.
pub const MESSAGE_NEW: &str = "message:new";
/// Client → server: messages after a cursor.
pub const SYNC_REQUEST: &str = "sync:request";
/// Server → client: the answer to `sync:request`.
pub const SYNC_BATCH: &str = "sync:batch";
/// Both ways: someone started typing.
pub const TYPING_START: &str = "typing:start";
/// Both ways: someone stopped typing (or their indicator expired).
pub const TYPING_STOP: &str = "typing:stop";
/// Server → client: an event failed and its sender asked for no ack.
pub const ERROR: &str = "error";

/// `message:send`'s payload.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPayload {
    /// The conversation.
    pub conversation_id: String,
    /// The client's idempotency key.
    pub client_msg_id: String,
    /// The text (may be empty when it carries files).
    pub body: String,
    /// Ids of the sender's ready uploads to attach, in order, at most 10 (Hearth's addition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// `message:send`'s ack on success, and `message:ack`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MessageAck {
    /// The client's idempotency key.
    pub client_msg_id: String,
    /// The stored message's id (the original's, for a replay).
    pub message_id: Uuid,
    /// When the server stored it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// The files it carries, in order (Hearth's addition; `[]` when none).
    #[serde(default)]
    pub attachments: Vec<MediaDto>,
}

impl From<&Message> for MessageAck {
    fn from(message: &Message) -> Self {
        Self {
            client_msg_id: message.client_message_id.as_str().to_owned(),
            message_id: message.id.as_uuid(),
            created_at: message.created_at,
            attachments: message.attachments.iter().map(MediaDto::from).collect(),
        }
    }
}

/// `message:new`, and each message of `sync:batch`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    /// The message's id.
    pub message_id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
    /// Who sent it.
    pub sender_id: Uuid,
    /// The sender's display name (their username when they chose none).
    pub sender_name: String,
    /// The address of the sender's profile picture (as `UserDto.avatar_url`), or `null`.
    pub sender_avatar: Option<String>,
    /// The sender's idempotency key.
    pub client_msg_id: String,
    /// The text.
    pub body: String,
    /// When the server stored it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// Its place in the conversation's log (Hearth's addition).
    pub seq: Seq,
    /// The files it carries, in order (Hearth's addition; `[]` when none). Members download
    /// them at `GET /v1/media/{id}/content`.
    #[serde(default)]
    pub attachments: Vec<MediaDto>,
}

impl NewMessage {
    /// A stored message, with its sender's name and picture address. `None` for a tombstone:
    /// a deleted message has no body to show.
    pub fn from_message(
        message: &Message,
        sender_name: &str,
        sender_avatar: Option<String>,
    ) -> Option<Self> {
        Some(Self {
            message_id: message.id.as_uuid(),
            conversation_id: message.conversation_id.as_uuid(),
            sender_id: message.sender_id.as_uuid(),
            sender_name: sender_name.to_owned(),
            sender_avatar,
            client_msg_id: message.client_message_id.as_str().to_owned(),
            body: message.text()?.to_owned(),
            created_at: message.created_at,
            seq: message.seq,
            attachments: message.attachments.iter().map(MediaDto::from).collect(),
        })
    }
}

/// `sync:request`'s payload.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRequest {
    /// The conversation.
    pub conversation_id: String,
    /// The last message the client has; absent: from the start of what it may see.
    #[serde(default)]
    pub after_message_id: Option<String>,
}

/// `sync:batch`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncBatch {
    /// The conversation.
    pub conversation_id: Uuid,
    /// Up to 100 messages after the cursor, in conversation order.
    pub messages: Vec<NewMessage>,
    /// Whether more follow the last one (Hearth's addition): ask again after it.
    pub has_more: bool,
}

/// The payload of `typing:start` / `typing:stop` from a client.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypingRequest {
    /// The conversation.
    pub conversation_id: String,
}

/// `typing:start` / `typing:stop` to the conversation's other members.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// The conversation.
    pub conversation_id: Uuid,
    /// Who is typing.
    pub user_id: Uuid,
    /// Their display name.
    pub user_name: String,
}

/// What a failed event answers: `{error: {…}}` in its ack.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ErrorAck {
    /// What went wrong.
    pub error: ErrorPayload,
}

/// An error: the code of the one table (`ErrorCode`), a message, and details when there are
/// any (the failing fields; `retryAfterMs` when rate limited). Also the `error` event itself.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ErrorPayload {
    /// The stable code.
    pub code: crate::ErrorCode,
    /// A message for people.
    pub message: String,
    /// More, by field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}
