//! Messages on the wire.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageDto {
    /// The message's id.
    pub id: Uuid,
    /// The conversation it belongs to.
    pub conversation_id: Uuid,
    /// Who sent it.
    pub sender_id: Uuid,
    /// The sender's idempotency key.
    pub client_message_id: String,
    /// Its place in the conversation's log.
    pub seq: i64,
    /// The text; `null` once the message is deleted (its tombstone keeps its place).
    #[serde(default)]
    pub content: Option<String>,
    /// When the server stored it (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// `sent`, `delivered` (on a device of every other member) or `read` (read by every other
    /// member).
    #[serde(default = "sent")]
    pub status: String,
    /// Whether the message was deleted: a tombstone with no content, mentions or reactions.
    #[serde(default)]
    pub deleted: bool,
    /// When it was deleted (RFC 3339), or `null`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<OffsetDateTime>,
    /// When its author last edited it (RFC 3339), or `null` if never.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<OffsetDateTime>,
    /// How many times its author edited it.
    #[serde(default)]
    pub edit_count: u32,
    /// The message this one answers, or `null`.
    #[serde(default)]
    pub reply_to: Option<Uuid>,
    /// For a reply: the root of the thread it belongs to (the message it answers, or that
    /// message's root), else `null`.
    #[serde(default)]
    pub thread_root_id: Option<Uuid>,
    /// For a message that started a thread: the thread's counters, as they are now; else
    /// `null`. A sync event about a reply carries the same counters as `thread`, for the
    /// client to put on its copy of the root.
    #[serde(default)]
    pub thread: Option<ThreadDto>,
    /// The user ids of the members its text mentions (`@username`).
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// Its reactions, one per emoji, in the order the emoji were first used.
    #[serde(default)]
    pub reactions: Vec<ReactionDto>,
    /// The files it carries, in the order sent (`[]` when none, and on a tombstone). Members
    /// download them at `GET /v1/media/{id}/content`.
    #[serde(default)]
    pub attachments: Vec<crate::MediaDto>,
}

fn sent() -> String {
    "sent".to_owned()
}

/// A thread's counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadDto {
    /// The message that started the thread.
    pub root_id: Uuid,
    /// Its replies that are not deleted.
    pub reply_count: u32,
    /// When the latest of those was sent (RFC 3339), or `null`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_reply_at: Option<OffsetDateTime>,
}

/// The reactions to a message with one emoji.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReactionDto {
    /// The emoji.
    pub emoji: String,
    /// How many members reacted with it.
    pub count: u32,
    /// Whether the caller is one of them.
    pub reacted_by_me: bool,
}

/// `POST /v1/conversations/{id}/messages`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// The idempotency key: a retry with the same key returns the original message.
    pub client_message_id: String,
    /// 1–4,000 characters (0–4,000 with `attachments`: a caption may be empty). `@username`
    /// mentions a member.
    pub content: String,
    /// The id of the message this one answers (in the same conversation), if any.
    #[serde(default)]
    pub reply_to: Option<Uuid>,
    /// Ids of the sender's own ready uploads to attach, in order, at most 10 (`POST
    /// /v1/media`); someone else's or an unknown id is 404, a pending upload 422.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Uuid>,
}

/// A page of messages in `seq` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    /// The messages, oldest first.
    pub messages: Vec<MessageDto>,
    /// Whether more messages follow the last one.
    pub has_more: bool,
}
