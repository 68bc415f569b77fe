//! The client's events: parsing with errors that name what is wrong, and answering each by
//! calling its use case. Each answer goes in the event's ack when the client asked for one,
//! else — for a failure — as an `error` event.

use std::convert::Infallible;
use std::sync::Arc;

use hearth_app::{PublicError, SendInput};
use hearth_domain::{ConversationId, MessageId, UserId};
use hearth_proto::ErrorCode;
use hearth_proto::socketio::{
    self, MessageAck, NewMessage, SendPayload, SyncBatch, SyncRequest, TypingRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, Extension, SocketRef, State, TryData};
use socketioxide::handler::{FromMessageParts, Value as PacketValue};
use socketioxide::socket::Socket;

use crate::connection::Conn;
use crate::encode;
use crate::{FACE, SioState};

/// Most messages one `sync:batch` carries (seed 002).
const SYNC_BATCH_LIMIT: i64 = 100;

/// Whether the client asked for an ack (an event sent with a callback).
pub(crate) struct AckAsked(bool);

impl<A: Adapter> FromMessageParts<A> for AckAsked {
    type Error = Infallible;

    fn from_message_parts(
        _: &Arc<Socket<A>>,
        _: &mut PacketValue,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self(ack_id.is_some()))
    }
}

/// Registers the handlers of every event the client may send.
pub(crate) fn register(socket: &SocketRef) {
    socket.on(socketio::MESSAGE_SEND, message_send);
    socket.on(socketio::SYNC_REQUEST, sync_request);
    socket.on(socketio::TYPING_START, typing_start);
    socket.on(socketio::TYPING_STOP, typing_stop);
    socket.on_fallback(unknown);
}

/// What every handler is given.
struct Call {
    socket: SocketRef,
    ack: AckSender,
    asked: bool,
}

impl Call {
    /// Sends `result` back: the value, or the error, in the ack when one was asked for; an
    /// error without an ack becomes an `error` event (a value without one needs no answer).
    fn answer<T: Serialize>(self, result: Result<T, PublicError>) {
        let sent = match (result, self.asked) {
            (Ok(value), true) => self.ack.send(&value),
            (Ok(_), false) => Ok(()),
            (Err(error), true) => self.ack.send(&encode::error_ack(error)),
            (Err(error), false) => self.socket.emit(socketio::ERROR, &encode::error(error)),
        };
        if let Err(err) = sent {
            tracing::debug!(cause = %err, "cannot answer an event; the socket is going");
        }
    }
}

fn counted(event: &'static str) {
    metrics::counter!("hearth_face_requests_total", "face" => FACE, "event" => event).increment(1);
}

/// Reads an event's payload. Missing or not an object: `bad_request`; a missing or mistyped
/// field: `validation_failed` naming it.
fn payload<T: DeserializeOwned>(
    data: Result<Value, impl std::fmt::Display>,
) -> Result<T, PublicError> {
    match data {
        Ok(value @ Value::Object(_)) => serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            PublicError::wrong_shape(&format!("{path}: {}", e.into_inner()))
        }),
        Ok(_) | Err(_) => Err(PublicError::new(
            ErrorCode::BadRequest,
            "the payload must be a JSON object",
        )),
    }
}

/// A conversation id given in an event. Malformed, it names no conversation: `not_found`, as
/// a malformed id in a REST path.
fn conversation(raw: &str) -> Result<ConversationId, PublicError> {
    raw.trim()
        .parse()
        .map_err(|_| PublicError::new(ErrorCode::NotFound, "conversation not found"))
}

async fn message_send(
    socket: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    AckAsked(asked): AckAsked,
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
) {
    counted(socketio::MESSAGE_SEND);
    let result = async {
        let SendPayload {
            conversation_id,
            client_msg_id,
            body,
        } = payload(data)?;
        let id = conversation(&conversation_id)?;
        let input = SendInput {
            client_message_id: client_msg_id,
            content: body,
        };
        let sent = state
            .app
            .messages
            .send(conn.session.caller, id, input)
            .await?;
        Ok(MessageAck::from(&sent.message))
    }
    .await;
    if let Ok(acked) = &result
        && let Err(err) = socket.emit(socketio::MESSAGE_ACK, acked)
    {
        tracing::debug!(cause = %err, "cannot write message:ack");
    }
    Call { socket, ack, asked }.answer(result);
}

async fn sync_request(
    socket: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    AckAsked(asked): AckAsked,
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
) {
    counted(socketio::SYNC_REQUEST);
    let result = async {
        let SyncRequest {
            conversation_id,
            after_message_id,
        } = payload(data)?;
        let id = conversation(&conversation_id)?;
        let after = match after_message_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<MessageId>().map_err(|_| {
                PublicError::new(ErrorCode::NotFound, "afterMessageId: message not found")
            })?),
        };
        let caller = conn.session.caller;
        let page = state
            .app
            .messages
            .page_after_message(caller, id, after, Some(SYNC_BATCH_LIMIT))
            .await?;
        let senders: Vec<UserId> = page.messages.iter().map(|m| m.sender_id).collect();
        let names = state.app.users.names(&senders).await;
        let name_of = |user: UserId| {
            names
                .iter()
                .find(|named| named.id == user)
                .map_or_else(|| user.to_string(), |named| named.display_name.clone())
        };
        Ok(SyncBatch {
            conversation_id: id.as_uuid(),
            // A tombstone has no body to show; seed 002 has no deletions.
            messages: page
                .messages
                .iter()
                .filter_map(|m| NewMessage::from_message(m, &name_of(m.sender_id)))
                .collect(),
            has_more: page.has_more,
        })
    }
    .await;
    match result {
        Ok(batch) => {
            if let Err(err) = socket.emit(socketio::SYNC_BATCH, &batch) {
                tracing::debug!(cause = %err, "cannot write sync:batch");
            }
            // The ack, when asked for, carries the batch too.
            Call { socket, ack, asked }.answer(Ok(batch));
        }
        Err(error) => Call { socket, ack, asked }.answer::<()>(Err(error)),
    }
}

/// What a successful event with nothing else to say acks.
#[derive(Serialize)]
struct Done {
    ok: bool,
}

async fn typing_start(
    socket: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    AckAsked(asked): AckAsked,
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
) {
    counted(socketio::TYPING_START);
    let result = payload::<TypingRequest>(data)
        .and_then(|request| conversation(&request.conversation_id))
        .and_then(|id| Ok(state.app.realtime.typing(&conn.session, id)?))
        .map(|()| Done { ok: true });
    Call { socket, ack, asked }.answer(result);
}

async fn typing_stop(
    socket: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    AckAsked(asked): AckAsked,
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
) {
    counted(socketio::TYPING_STOP);
    let result = payload::<TypingRequest>(data)
        .and_then(|request| conversation(&request.conversation_id))
        .and_then(|id| Ok(state.app.realtime.stop_typing(&conn.session, id)?))
        .map(|()| Done { ok: true });
    Call { socket, ack, asked }.answer(result);
}

/// An event seed 002 does not have: `bad_request`, as an unknown `/v1/ws` action.
async fn unknown(
    socket: SocketRef,
    Event(event): Event,
    ack: AckSender,
    AckAsked(asked): AckAsked,
) {
    counted("unknown");
    let error = PublicError::new(ErrorCode::BadRequest, format!("unknown event `{event}`"));
    Call { socket, ack, asked }.answer::<()>(Err(error));
}
