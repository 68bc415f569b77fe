//! Deliveries as seed 002's events, and errors as its error shapes.
//!
//! A delivery is turned into its event once, whichever number of sockets receive it (the
//! hub's [`Frame`](hearth_realtime::Frame) keeps the result under [`Encoding::SocketIo`]);
//! each socket then only writes it. Deliveries seed 002 has no event for (receipts, presence,
//! edits, …) are not written.

use std::sync::Arc;

use hearth_app::PublicError;
use hearth_app::realtime::{Delivery, RealtimeEvent, UserRef};
use hearth_domain::EventKind;
use hearth_proto::socketio::{self, ErrorAck, ErrorPayload, NewMessage, Typing};
use serde::Serialize;
use serde_json::value::RawValue;

/// One event to write: its name and its payload, already JSON — serialized once for every
/// socket that receives it (the library writes raw JSON text as it is).
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    /// The event's name.
    pub event: &'static str,
    /// Its payload.
    pub payload: Arc<RawValue>,
}

impl Outgoing {
    fn new<T: Serialize>(event: &'static str, payload: &T) -> Option<Self> {
        match serde_json::value::to_raw_value(payload) {
            Ok(raw) => Some(Self {
                event,
                payload: Arc::from(raw),
            }),
            Err(err) => {
                // Our payloads always serialize; should one not, it is dropped, not the socket.
                tracing::error!(cause = %err, event, "cannot encode an event");
                None
            }
        }
    }
}

/// The address of `user`'s profile picture, as `senderAvatar` carries it.
pub(crate) fn avatar_of(user: &UserRef) -> Option<String> {
    user.avatar
        .as_ref()
        .map(|avatar| hearth_proto::avatar_url(user.id, avatar))
}

/// The event a delivery is written as, if seed 002 has one for it.
pub(crate) fn delivery(delivery: &Delivery) -> Option<Outgoing> {
    match &delivery.event {
        RealtimeEvent::Log(entry) => match &entry.event.kind {
            EventKind::NewMessage(message) => {
                // The author is named by the send; when the store could not say, the id
                // stands in, so the event still goes out (never late).
                let author = entry.author.as_ref();
                let name = author
                    .map_or_else(|| message.sender_id.to_string(), |a| a.display_name.clone());
                let message = NewMessage::from_message(message, &name, author.and_then(avatar_of))?;
                Outgoing::new(socketio::MESSAGE_NEW, &message)
            }
            _ => None,
        },
        RealtimeEvent::Typing {
            conversation_id,
            user,
            typing,
            ..
        } => Outgoing::new(
            if *typing {
                socketio::TYPING_START
            } else {
                socketio::TYPING_STOP
            },
            &Typing {
                conversation_id: conversation_id.as_uuid(),
                user_id: user.id.as_uuid(),
                user_name: user.display_name.clone(),
            },
        ),
        _ => None,
    }
}

/// An error as seed 002 shapes it: `{code, message, details?}`, with `retryAfterMs` in the
/// details when the client should wait.
pub(crate) fn error(error: PublicError) -> ErrorPayload {
    ErrorPayload {
        details: error.details_with_retry("retryAfterMs"),
        code: error.code,
        message: error.message,
    }
}

/// The ack of a failed event.
pub(crate) fn error_ack(error: PublicError) -> ErrorAck {
    ErrorAck {
        error: self::error(error),
    }
}
