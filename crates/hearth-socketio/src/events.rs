//! The client's events: parsing with errors that name what is wrong, and answering each by
//! calling its use case. Each answer goes in the event's ack when the client asked for one,
//! else — for a failure — as an `error` event.

use std::sync::Arc;

use hearth_app::{PublicError, SendInput};
use hearth_domain::{ConversationId, Message, MessageId, UserId};
use hearth_proto::ErrorCode;
use hearth_proto::socketio::{
    self, MessageAck, NewMessage, SendPayload, SyncBatch, SyncRequest, TypingRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::ParserError;
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::handler::{FromMessageParts, Value as PacketValue};
use socketioxide::socket::Socket;

use crate::connection::Conn;
use crate::encode::{self, avatar_of};
use crate::{FACE, SioState};

/// Most messages one `sync:batch` carries (seed 002).
const SYNC_BATCH_LIMIT: i64 = 100;

/// Registers the handler of every event the client may send.
pub(crate) fn register(socket: &SocketRef) {
    // One handler that dispatches by name, not one per event: the library keeps a map of the
    // handlers registered by name in every socket (about 0.5 KiB of an idle socket), and none
    // for the fallback.
    socket.on_fallback(dispatch);
}

/// The event's handler, by its name.
async fn dispatch(call: Call, Event(event): Event, TryData(data): TryData<Value>) {
    match event.as_str() {
        socketio::MESSAGE_SEND => message_send(call, data).await,
        socketio::SYNC_REQUEST => sync_request(call, data).await,
        socketio::TYPING_START => typing_start(call, data).await,
        socketio::TYPING_STOP => typing_stop(call, data).await,
        _ => unknown(call, &event),
    }
}

/// An event's payload, as the library read it.
type Payload = Result<Value, ParserError>;

/// What every handler is given: the socket, its connection, the shared state, and how to
/// answer (the ack, and whether the client asked for one — an event sent with a callback).
struct Call {
    socket: SocketRef,
    conn: Arc<Conn>,
    state: SioState,
    ack: AckSender,
    asked: bool,
}

/// A socket that has no connection in its extensions: its handshake did not finish (the
/// handlers are registered only once it does, so this does not happen).
#[derive(Debug, thiserror::Error)]
#[error("the socket has no connection")]
struct NotConnected;

impl FromMessageParts<LocalAdapter> for Call {
    type Error = NotConnected;

    fn from_message_parts(
        socket: &Arc<Socket>,
        value: &mut PacketValue,
        ack_id: &Option<i64>,
    ) -> Result<Self, NotConnected> {
        let conn = socket.extensions.get::<Arc<Conn>>().ok_or(NotConnected)?;
        let State(state) = State::<SioState>::from_message_parts(socket, value, ack_id)
            .map_err(|_| NotConnected)?;
        let Ok(ack) = AckSender::from_message_parts(socket, value, ack_id);
        Ok(Self {
            socket: SocketRef::from(socket.clone()),
            conn,
            state,
            ack,
            asked: ack_id.is_some(),
        })
    }
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

    /// Writes an event to this socket (beside the ack).
    fn emit<T: Serialize>(&self, event: &str, payload: &T) {
        if let Err(err) = self.socket.emit(event, payload) {
            tracing::debug!(cause = %err, event, "cannot write an event");
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

async fn message_send(call: Call, data: Payload) {
    counted(socketio::MESSAGE_SEND);
    let result = async {
        let SendPayload {
            conversation_id,
            client_msg_id,
            body,
            attachments,
        } = payload(data)?;
        let id = conversation(&conversation_id)?;
        let input = SendInput {
            client_message_id: client_msg_id,
            content: body,
            attachments: hearth_app::parse_media_ids(&attachments)?,
        };
        let sent = call
            .state
            .app
            .messages
            .send(call.conn.session.caller, id, input)
            .await?;
        Ok(MessageAck::from(&sent.message))
    }
    .await;
    if let Ok(acked) = &result {
        call.emit(socketio::MESSAGE_ACK, acked);
    }
    call.answer(result);
}

async fn sync_request(call: Call, data: Payload) {
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
        let caller = call.conn.session.caller;
        let page = call
            .state
            .app
            .messages
            .page_after_message(caller, id, after, Some(SYNC_BATCH_LIMIT))
            .await?;
        let senders: Vec<UserId> = page.messages.iter().map(|m| m.sender_id).collect();
        let names = call.state.app.users.names(&senders).await;
        let sender = |message: &Message| {
            let named = names.iter().find(|named| named.id == message.sender_id);
            let name = named.map_or_else(
                || message.sender_id.to_string(),
                |named| named.display_name.clone(),
            );
            NewMessage::from_message(message, &name, named.and_then(avatar_of))
        };
        Ok(SyncBatch {
            conversation_id: id.as_uuid(),
            // A tombstone has no body to show; seed 002 has no deletions.
            messages: page.messages.iter().filter_map(sender).collect(),
            has_more: page.has_more,
        })
    }
    .await;
    match result {
        Ok(batch) => {
            call.emit(socketio::SYNC_BATCH, &batch);
            // The ack, when asked for, carries the batch too.
            call.answer(Ok(batch));
        }
        Err(error) => call.answer::<()>(Err(error)),
    }
}

/// What a successful event with nothing else to say acks.
#[derive(Serialize)]
struct Done {
    ok: bool,
}

async fn typing_start(call: Call, data: Payload) {
    counted(socketio::TYPING_START);
    typing(call, data, true).await;
}

async fn typing_stop(call: Call, data: Payload) {
    counted(socketio::TYPING_STOP);
    typing(call, data, false).await;
}

/// `typing:start` (`started`) or `typing:stop`.
async fn typing(call: Call, data: Payload, started: bool) {
    let result = async {
        let id = conversation(&payload::<TypingRequest>(data)?.conversation_id)?;
        let (realtime, session) = (&call.state.app.realtime, &call.conn.session);
        if started {
            realtime.typing(session, id).await?;
        } else {
            realtime.stop_typing(session, id).await?;
        }
        Ok(Done { ok: true })
    }
    .await;
    call.answer(result);
}

/// An event seed 002 does not have: `bad_request`, as an unknown `/v1/ws` action.
fn unknown(call: Call, event: &str) {
    counted("unknown");
    let error = PublicError::new(ErrorCode::BadRequest, format!("unknown event `{event}`"));
    call.answer::<()>(Err(error));
}
