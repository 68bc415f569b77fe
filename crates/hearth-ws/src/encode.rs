//! Realtime events as the native protocol's JSON text, and the protocol's own events.

use axum::extract::ws::Utf8Bytes;
use hearth_app::PublicError;
use hearth_app::realtime::{Delivery, RealtimeEvent, UserRef};
use hearth_proto::ChangeEvent;
use hearth_proto::ws::{LogEvent, Reply, ServerEvent, UserRefDto};
use serde::Serialize;
use serde_json::Value;

/// A user as events name them.
pub(crate) fn user_ref(user: &UserRef) -> UserRefDto {
    UserRefDto {
        id: user.id.as_uuid(),
        username: user.username.clone(),
    }
}

/// Serializes an event. Our types always serialize; should one ever fail, the client gets an
/// `internal` error event instead of a dropped frame.
pub(crate) fn text<T: Serialize>(value: &T) -> Utf8Bytes {
    match serde_json::to_string(value) {
        Ok(json) => Utf8Bytes::from(json),
        Err(err) => {
            tracing::error!(cause = %err, "cannot encode an event");
            Utf8Bytes::from_static(
                r#"{"type":"error","code":"internal","message":"cannot encode an event"}"#,
            )
        }
    }
}

/// A direct answer to an action, echoing its `request_id`.
pub(crate) fn reply(event: &ServerEvent, request_id: Option<&Value>) -> Utf8Bytes {
    text(&Reply { event, request_id })
}

/// An `error` event.
pub(crate) fn error(error: PublicError) -> ServerEvent {
    ServerEvent::Error {
        details: error.details_with_retry("retry_after_ms"),
        code: error.code,
        message: error.message,
    }
}

/// The JSON text of a delivery: computed once per delivery, shared by every socket.
pub(crate) fn delivery(delivery: &Delivery) -> Utf8Bytes {
    match &delivery.event {
        RealtimeEvent::Log(entry) => text(&LogEvent::new(
            entry.event.conversation_id.as_uuid(),
            ChangeEvent::from(&entry.event),
            entry.author.as_ref().map(|author| author.username.clone()),
        )),
        RealtimeEvent::Receipt {
            conversation_id,
            user_id,
            kind,
            seq,
        } => text(&ServerEvent::Receipt {
            conversation_id: conversation_id.as_uuid(),
            user_id: user_id.as_uuid(),
            status: kind.as_str().to_owned(),
            seq: *seq,
        }),
        RealtimeEvent::Typing {
            conversation_id,
            user,
            typing,
            expires_in,
        } => text(&ServerEvent::TypingIndicator {
            conversation_id: conversation_id.as_uuid(),
            user: user_ref(user),
            typing: *typing,
            expires_in_ms: expires_in.as_millis() as u64,
        }),
        RealtimeEvent::JoinRequested {
            conversation_id,
            user,
            created_at,
        } => text(&ServerEvent::JoinRequested {
            conversation_id: conversation_id.as_uuid(),
            user: user_ref(user),
            created_at: *created_at,
        }),
        RealtimeEvent::Presence {
            user_id,
            online,
            last_seen_at,
        } => text(&ServerEvent::Presence {
            user_id: user_id.as_uuid(),
            status: if *online { "online" } else { "offline" }.to_owned(),
            last_seen_at: *last_seen_at,
        }),
        RealtimeEvent::Viewer {
            conversation_id,
            user,
            joined: true,
        } => text(&ServerEvent::UserJoined {
            conversation_id: conversation_id.as_uuid(),
            user: user_ref(user),
        }),
        RealtimeEvent::Viewer {
            conversation_id,
            user,
            joined: false,
        } => text(&ServerEvent::UserLeft {
            conversation_id: conversation_id.as_uuid(),
            user: user_ref(user),
        }),
    }
}
