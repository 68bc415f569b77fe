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
    /// The text.
    pub content: String,
    /// When the server stored it (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// `sent`, `delivered` (on a device of every other member) or `read` (read by every other
    /// member).
    #[serde(default = "sent")]
    pub status: String,
}

fn sent() -> String {
    "sent".to_owned()
}

/// `POST /v1/conversations/{id}/messages`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SendMessageRequest {
    /// The idempotency key: a retry with the same key returns the original message.
    pub client_message_id: String,
    /// 1–4,000 characters.
    pub content: String,
}

/// A page of messages in `seq` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    /// The messages, oldest first.
    pub messages: Vec<MessageDto>,
    /// Whether more messages follow the last one.
    pub has_more: bool,
}
