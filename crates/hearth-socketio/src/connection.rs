//! One socket's life: the handshake's authentication, the hub registration, the task that
//! writes what the hub queues for it, and the goodbye.
//!
//! Everything that can refuse a connection runs in the namespace middleware, before the
//! library answers the handshake, so a refused client gets `connect_error` (message
//! `unauthorized`, or `unavailable` when the store cannot answer) and never a half-open
//! socket. The event handlers are registered there too, so no event the client sends right
//! after `connect` can arrive before them. The writing task starts only once the socket is
//! connected (the library refuses to emit before that); deliveries published meanwhile wait in
//! the hub's queue. This module must never decide who may do or hear anything: it calls
//! `RealtimeService` for all of it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_app::PublicError;
use hearth_app::realtime::RealtimeSession;
use hearth_proto::ErrorCode;
use hearth_proto::socketio;
use hearth_realtime::{Closing, Encoding, Next, Registration};
use serde::Deserialize;
use serde_json::Value;
use socketioxide::SocketError;
use socketioxide::extract::{Extension, SocketRef, State, TryData};
use socketioxide::socket::DisconnectReason;
use tokio::sync::Notify;
use tokio::time::{Instant, sleep_until};
use tracing::Instrument;

use crate::encode::{self, Outgoing};
use crate::{FACE, SioState, events};

/// Why a handshake is refused; the text is the `connect_error` message the client reads.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    /// No token, a bad or expired one, or an account that no longer exists.
    #[error("unauthorized")]
    Unauthorized,
    /// The store cannot answer now; try again.
    #[error("unavailable")]
    Unavailable,
}

/// One authenticated socket, kept in the socket's extensions.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The realtime use case's view of the connection.
    pub session: RealtimeSession,
    /// The hub's queue, until the writing task takes it.
    registration: Mutex<Option<Registration>>,
    /// Rung when the socket has gone, so the writing task ends.
    gone: Notify,
}

impl Conn {
    fn take_registration(&self) -> Option<Registration> {
        self.registration
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

/// The handshake's `auth` object.
#[derive(Debug, Default, Deserialize)]
struct Auth {
    token: Option<String>,
}

/// The access token: `auth.token`, else an `Authorization: Bearer` header.
fn token(socket: &SocketRef, auth: Option<Value>) -> Option<String> {
    let from_auth = auth
        .and_then(|value| serde_json::from_value::<Auth>(value).ok())
        .and_then(|auth| auth.token);
    from_auth.or_else(|| {
        let header = socket.req_parts().headers.get("authorization")?;
        hearth_app::bearer_token(header.to_str().ok()?).map(str::to_owned)
    })
}

/// The namespace middleware: authenticates, registers with the hub, connects the realtime
/// session and subscribes it to every conversation of its user, then registers the event
/// handlers.
pub(crate) async fn authenticate(
    socket: SocketRef,
    TryData(auth): TryData<Value>,
    State(state): State<SioState>,
) -> Result<(), Refused> {
    let token = token(&socket, auth.ok()).ok_or(Refused::Unauthorized)?;
    let caller = state
        .app
        .auth
        .authenticate(&token)
        .map_err(|_| Refused::Unauthorized)?;
    let registration = state.hub.register(caller.user_id, caller.session_id);
    let connected = state
        .app
        .realtime
        .connect(caller, registration.id)
        .await
        .map_err(|err| refused(PublicError::from(err)))?;
    let session = connected.session;
    if let Err(err) = state.app.realtime.subscribe_all(&session).await {
        state.app.realtime.disconnect(&session).await;
        return Err(refused(PublicError::from(err)));
    }
    socket.extensions.insert(Arc::new(Conn {
        session,
        registration: Mutex::new(Some(registration)),
        gone: Notify::new(),
    }));
    events::register(&socket);
    socket.on_disconnect(disconnected);
    Ok(())
}

fn refused(error: PublicError) -> Refused {
    if error.code == ErrorCode::Unauthorized {
        Refused::Unauthorized
    } else {
        Refused::Unavailable
    }
}

/// The connect handler: the socket is connected; write what the hub queues for it until it
/// goes.
pub(crate) async fn connected(
    socket: SocketRef,
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
) {
    let Some(registration) = conn.take_registration() else {
        return;
    };
    // Counted once connected, like `/v1/ws` counts an authenticated session.
    metrics::counter!("hearth_face_connections_total", "face" => FACE).increment(1);
    metrics::gauge!("hearth_face_connections", "face" => FACE).increment(1.0);
    let span = tracing::info_span!(
        "socketio",
        user_id = %conn.session.caller.user_id,
        connection = conn.session.connection.get(),
        transport = ?socket.transport_type(),
    );
    let writer = write_queued(socket, conn, registration, state.clone());
    state.hub.track(writer).instrument(span).await;
    metrics::gauge!("hearth_face_connections", "face" => FACE).decrement(1.0);
}

/// When a token that expires at `exp` (Unix seconds) stops being accepted, as an instant.
fn expiry(exp: i64) -> Instant {
    let left = exp - time::OffsetDateTime::now_utc().unix_timestamp();
    Instant::now() + Duration::from_secs(u64::try_from(left.max(0)).unwrap_or(0))
}

/// Moves the hub's queue to the socket, one event at a time, until the socket goes, its
/// token expires, or the hub tells it to close (it fell behind; the node is shutting down).
async fn write_queued(
    socket: SocketRef,
    conn: Arc<Conn>,
    registration: Registration,
    state: SioState,
) {
    let token_expiry = sleep_until(expiry(conn.session.caller.expires_at));
    tokio::pin!(token_expiry);
    loop {
        tokio::select! {
            biased;
            () = conn.gone.notified() => return,
            () = &mut token_expiry => {
                let expired = PublicError::new(
                    ErrorCode::Unauthorized,
                    "access token expired; connect again with a new token",
                );
                let _ = socket.emit(socketio::ERROR, &encode::error(expired));
                let _ = socket.disconnect();
                return;
            }
            next = registration.events.recv() => match next {
                Next::Frame(frame) => {
                    state.app.realtime.follow(&conn.session, &frame.delivery).await;
                    let Some(outgoing) = frame.encoded(Encoding::SocketIo, encode::delivery).flatten() else {
                        continue;
                    };
                    match write(&socket, &outgoing) {
                        Ok(()) => {}
                        Err(SocketError::InternalChannelFull) => {
                            metrics::counter!("hearth_realtime_slow_consumers_total").increment(1);
                            tracing::info!("slow consumer: disconnecting its socket");
                            let _ = socket.disconnect();
                            return;
                        }
                        Err(SocketError::Closed) => return,
                    }
                }
                Next::Close(Closing::SessionEnded) => {
                    let ended = PublicError::new(
                        ErrorCode::Unauthorized,
                        "session has ended; sign in again",
                    );
                    let _ = socket.emit(socketio::ERROR, &encode::error(ended));
                    let _ = socket.disconnect();
                    return;
                }
                Next::Close(Closing::TooSlow | Closing::ShuttingDown) => {
                    let _ = socket.disconnect();
                    return;
                }
            },
        }
    }
}

/// Writes one event; a full buffer means the client is not keeping up.
fn write(socket: &SocketRef, outgoing: &Outgoing) -> Result<(), SocketError> {
    match socket.emit(outgoing.event, &*outgoing.payload) {
        Ok(()) => Ok(()),
        Err(socketioxide::SendError::Socket(err)) => Err(err),
        Err(socketioxide::SendError::Serialize(err)) => {
            // Our payloads always serialize; should one not, it is dropped, not the socket.
            tracing::error!(cause = %err, "cannot encode an event");
            Ok(())
        }
    }
}

/// The socket went (the client left, the transport failed, or the server disconnected it):
/// the realtime session ends, and the writing task stops.
async fn disconnected(
    Extension(conn): Extension<Arc<Conn>>,
    State(state): State<SioState>,
    reason: DisconnectReason,
) {
    tracing::debug!(user_id = %conn.session.caller.user_id, ?reason, "socket.io socket gone");
    conn.gone.notify_one();
    state.app.realtime.disconnect(&conn.session).await;
}
