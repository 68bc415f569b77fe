//! The native WebSocket protocol (`/v1/ws`): seed 003's vocabulary, extended in its style.
//!
//! A client sends JSON objects with an `action`; the server sends JSON objects with a `type`.
//! Events about a conversation carry `conversation_id`; `room_id` is accepted as its alias in
//! actions. A client may put any JSON value in `request_id`; the direct answer to that action
//! (`message_ack`, `subscribed`, `sync_batch`, `pong`, `error`, …) echoes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{ChangeEvent, ErrorCode, MessageDto, UserDto};

/// `{"action":"auth","token":…}`: authenticate a connection opened without `?token=`, or renew
/// the token of an authenticated one before it expires.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthAction {
    /// An access token.
    pub token: String,
}

/// `subscribe`, `unsubscribe`, `user_typing`: an action about one conversation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConversationAction {
    /// The conversation (alias `room_id`).
    #[serde(alias = "room_id")]
    pub conversation_id: String,
}

/// `send_message`: idempotent exactly like `POST /v1/conversations/{id}/messages`. Without a
/// `client_message_id` (a stock seed-003 client sends none) the server makes a key, and such a
/// send cannot be retried safely.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendMessageAction {
    /// The conversation (alias `room_id`).
    #[serde(alias = "room_id")]
    pub conversation_id: String,
    /// The idempotency key.
    #[serde(default)]
    pub client_message_id: Option<String>,
    /// 1–4,000 characters (0–4,000 with `attachments`).
    pub content: String,
    /// Ids of the sender's ready uploads to attach, in order, at most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// `mark_read`, `mark_delivered`: move a marker to `seq`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MarkAction {
    /// The conversation (alias `room_id`).
    #[serde(alias = "room_id")]
    pub conversation_id: String,
    /// Everything up to and including this seq.
    pub seq: i64,
}

/// `sync`: the conversation's log after `after_seq`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncAction {
    /// The conversation (alias `room_id`).
    #[serde(alias = "room_id")]
    pub conversation_id: String,
    /// The last seq the client has (default 0).
    #[serde(default)]
    pub after_seq: i64,
    /// 1–100, default 50.
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A user as realtime events name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRefDto {
    /// Their id.
    pub id: Uuid,
    /// Their username.
    pub username: String,
}

/// One contact's presence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresenceDto {
    /// The contact.
    pub user_id: Uuid,
    /// `online` or `offline`.
    pub status: String,
    /// When their last connection ended (RFC 3339), if ever.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_seen_at: Option<OffsetDateTime>,
}

/// Every event the server sends that is not an entry of a conversation's log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The connection is authenticated and receives every event of the user's conversations.
    Ready {
        /// The connected user.
        user: UserDto,
        /// The presence of everyone who shares a conversation with them.
        presence: Vec<PresenceDto>,
        /// How often the server pings; a client silent for two intervals is disconnected.
        heartbeat_interval_ms: u64,
    },
    /// A renewed token was accepted.
    Authenticated {
        /// The user.
        user_id: Uuid,
        /// When the new token expires (Unix seconds).
        expires_at: i64,
    },
    /// Subscribed to a conversation's ephemeral streams (typing, viewers).
    Subscribed {
        /// The conversation.
        conversation_id: Uuid,
        /// Who is viewing it now (seed 003 `online_users`).
        online_users: Vec<UserRefDto>,
    },
    /// Unsubscribed.
    Unsubscribed {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// The answer to `send_message`: the stored message (the original one for a retry).
    MessageAck {
        /// The idempotency key sent.
        client_message_id: String,
        /// The stored message (boxed: it is much larger than the other events).
        message: Box<SocketMessage>,
    },
    /// Someone in a conversation you view is typing (or stopped).
    TypingIndicator {
        /// The conversation.
        conversation_id: Uuid,
        /// Who.
        user: UserRefDto,
        /// `false`: the indicator is gone.
        typing: bool,
        /// How long it lasts unless renewed.
        expires_in_ms: u64,
    },
    /// A member's delivered or read marker moved.
    Receipt {
        /// The conversation.
        conversation_id: Uuid,
        /// Whose marker.
        user_id: Uuid,
        /// `delivered` or `read`.
        status: String,
        /// Everything up to this seq.
        seq: i64,
    },
    /// Someone asked to join a conversation you manage (you hold `can_manage_participants`).
    JoinRequested {
        /// The conversation.
        conversation_id: Uuid,
        /// Who asks.
        user: UserRefDto,
        /// When (RFC 3339).
        #[serde(with = "time::serde::rfc3339")]
        created_at: OffsetDateTime,
    },
    /// Someone who shares a conversation with you came online or went offline.
    Presence {
        /// Who.
        user_id: Uuid,
        /// `online` or `offline`.
        status: String,
        /// When their last connection ended.
        #[serde(with = "time::serde::rfc3339::option", default)]
        last_seen_at: Option<OffsetDateTime>,
    },
    /// Someone started viewing a conversation you view.
    UserJoined {
        /// The conversation.
        conversation_id: Uuid,
        /// Who.
        user: UserRefDto,
    },
    /// Someone stopped viewing a conversation you view.
    UserLeft {
        /// The conversation.
        conversation_id: Uuid,
        /// Who.
        user: UserRefDto,
    },
    /// The answer to `sync`.
    SyncBatch {
        /// The conversation.
        conversation_id: Uuid,
        /// Its events after the cursor, in seq order.
        events: Vec<ChangeEvent>,
        /// Whether more follow; ask again from the last seq.
        has_more: bool,
        /// The first seq the caller may see (history visibility): drop copies of anything
        /// numbered before it.
        history_from: i64,
    },
    /// The answer to `ping`.
    Pong,
    /// An action failed; the connection stays usable unless a close follows.
    Error {
        /// The code, from the same table as REST.
        code: ErrorCode,
        /// What went wrong.
        message: String,
        /// For `validation_failed`: field → problem.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<Value>,
    },
}

/// An entry of a conversation's log as a socket event: `{"type": "new_message",
/// "conversation_id", "seq", "actor_id", "created_at", "message"}` (or another log type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    /// The conversation.
    pub conversation_id: Uuid,
    /// The entry (its `type` is the event type), without its message.
    #[serde(flatten)]
    pub change: ChangeEvent,
    /// For every event about a message: the message, with seed 003's names beside Hearth's.
    /// A client that reads the event as a [`ChangeEvent`] finds it in `change.message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<SocketMessage>,
}

impl LogEvent {
    /// The socket event of one log entry; `author` is the username of a new message's sender.
    pub fn new(conversation_id: Uuid, mut change: ChangeEvent, author: Option<String>) -> Self {
        let message = change.message.take().map(|message| SocketMessage {
            username: author,
            ..SocketMessage::from(message)
        });
        Self {
            conversation_id,
            change,
            message,
        }
    }
}

/// A message as socket events carry it: every field of [`MessageDto`], plus seed 003's names
/// for its conversation (`room_id`), its sender (`user_id`) and, on a new message and its ack,
/// the sender's `username`, so that a seed-003 client reads it unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketMessage {
    /// The message.
    #[serde(flatten)]
    pub message: MessageDto,
    /// Seed 003's name for `conversation_id`.
    pub room_id: Uuid,
    /// Seed 003's name for `sender_id`.
    pub user_id: Uuid,
    /// The sender's username, on `new_message` and `message_ack` (seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl From<MessageDto> for SocketMessage {
    fn from(message: MessageDto) -> Self {
        Self {
            room_id: message.conversation_id,
            user_id: message.sender_id,
            username: None,
            message,
        }
    }
}

impl std::ops::Deref for SocketMessage {
    type Target = MessageDto;

    fn deref(&self) -> &MessageDto {
        &self.message
    }
}

/// An event with the `request_id` of the action it answers.
#[derive(Clone, Debug, Serialize)]
pub struct Reply<'a, T: Serialize> {
    /// The event.
    #[serde(flatten)]
    pub event: &'a T,
    /// The client's `request_id`, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_with_their_type() {
        let pong = serde_json::to_value(Reply {
            event: &ServerEvent::Pong,
            request_id: None,
        })
        .ok();
        assert_eq!(pong, Some(serde_json::json!({ "type": "pong" })));
        let id = serde_json::json!(7);
        let answered = serde_json::to_value(Reply {
            event: &ServerEvent::Pong,
            request_id: Some(&id),
        })
        .ok();
        assert_eq!(
            answered,
            Some(serde_json::json!({ "type": "pong", "request_id": 7 }))
        );
    }

    #[test]
    fn room_id_is_an_alias_of_conversation_id() {
        let action: Result<ConversationAction, _> = serde_json::from_str(r#"{"room_id":"x"}"#);
        assert_eq!(action.map(|a| a.conversation_id).ok(), Some("x".to_owned()));
    }
}
