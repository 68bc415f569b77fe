//! One connection's life: authenticate, register, then one loop that writes queued events,
//! answers actions, pings, and closes with a reason.
//!
//! An action runs to completion before the loop looks at anything else, so a `send_message`
//! in flight when the server shuts down is stored and acknowledged before the close. Writes of
//! queued events are batched: everything already queued is fed to the socket, then flushed
//! once — behind an action's answer too, so a send's acknowledgement and its own `new_message`
//! leave in one `write`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use futures::{SinkExt, StreamExt};
use hearth_app::realtime::Connected;
use hearth_app::{Caller, PublicError};
use hearth_proto::ErrorCode;
use hearth_proto::ws::{PresenceDto, ServerEvent};
use hearth_realtime::{Closing, Encoding, Frame, Next, Registration};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until};
use tracing::Instrument;

use crate::actions::{Action, Actions, parse};
use crate::{WsState, encode};

/// Most queued events written before one flush.
const WRITE_BATCH: usize = 64;

/// "Try again later": the close code for a slow consumer (RFC 6455 registry, 1013).
const TRY_AGAIN_LATER: u16 = 1013;

/// How long a close frame may take to leave; a peer that does not read gets no more.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        let _ = socket.send(Message::Close(Some(frame))).await;
        let _ = socket.close().await;
    })
    .await;
}

/// When a token that expires at `exp` (Unix seconds) stops being accepted, as an instant.
fn expiry(exp: i64) -> Instant {
    let left = exp - time::OffsetDateTime::now_utc().unix_timestamp();
    Instant::now() + Duration::from_secs(u64::try_from(left.max(0)).unwrap_or(0))
}

/// Serves one upgraded socket until it closes.
pub(crate) async fn run(mut socket: WebSocket, state: WsState, token: Option<String>) {
    metrics::counter!("hearth_ws_connections_total").increment(1);
    metrics::counter!("hearth_face_connections_total", "face" => "ws").increment(1);
    let Some(caller) = authenticate(&mut socket, &state, token).await else {
        return;
    };
    let registration = state.hub.register(caller.user_id, caller.session_id);
    let connected = match state.app.realtime.connect(caller, registration.id).await {
        Ok(connected) => connected,
        Err(err) if err.code() == ErrorCode::Unauthorized => {
            return close(&mut socket, close_code::POLICY, "account no longer exists").await;
        }
        Err(err) => {
            let error = encode::reply(&encode::error(PublicError::from(err)), None);
            let _ = socket.send(Message::Text(error)).await;
            return close(
                &mut socket,
                close_code::ERROR,
                "cannot start the session; reconnect",
            )
            .await;
        }
    };
    let span =
        tracing::info_span!("ws", user_id = %caller.user_id, connection = registration.id.get());
    let session = Session {
        actions: Actions {
            state,
            session: connected.session.clone(),
        },
        socket,
    };
    metrics::gauge!("hearth_face_connections", "face" => "ws").increment(1.0);
    session
        .serve(registration, &connected)
        .instrument(span)
        .await;
    metrics::gauge!("hearth_face_connections", "face" => "ws").decrement(1.0);
}

/// Waits for a valid token: from `?token=`, or from a first `auth` action within the timeout.
async fn authenticate(
    socket: &mut WebSocket,
    state: &WsState,
    token: Option<String>,
) -> Option<Caller> {
    let token = match token {
        Some(token) => token,
        None => match tokio::time::timeout(state.settings.auth_timeout, socket.next()).await {
            Err(_) => {
                close(socket, close_code::POLICY, "authentication timed out").await;
                return None;
            }
            Ok(Some(Ok(Message::Text(text)))) => match parse(&text).action {
                Ok(Action::Auth(auth)) => auth.token,
                _ => {
                    close(
                        socket,
                        close_code::POLICY,
                        "authenticate first: {\"action\":\"auth\",\"token\":…}",
                    )
                    .await;
                    return None;
                }
            },
            Ok(_) => return None,
        },
    };
    match state.app.auth.authenticate(&token) {
        Ok(caller) => Some(caller),
        Err(err) => {
            let reason = match err {
                hearth_app::AppError::TokenExpired => "access token expired",
                _ => "invalid access token",
            };
            close(socket, close_code::POLICY, reason).await;
            None
        }
    }
}

/// One socket, not split into a read half and a write half: the loop never reads and writes
/// at once, and a split would take a lock around every read, feed and flush.
struct Session {
    actions: Actions,
    socket: WebSocket,
}

/// Why the loop ended.
enum End {
    /// The peer closed or vanished; nothing more to send.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

impl Session {
    async fn send(&mut self, text: Utf8Bytes) -> Result<(), ()> {
        self.socket.send(Message::Text(text)).await.map_err(drop)
    }

    async fn serve(mut self, registration: Registration, connected: &Connected) {
        let state = self.actions.state.clone();
        let ready = ServerEvent::Ready {
            user: hearth_proto::UserDto::from(&connected.user),
            presence: connected
                .presence
                .iter()
                .map(|p| PresenceDto {
                    user_id: p.user_id.as_uuid(),
                    status: if p.online { "online" } else { "offline" }.to_owned(),
                    last_seen_at: p.last_seen_at,
                })
                .collect(),
            heartbeat_interval_ms: state.settings.ping_interval.as_millis() as u64,
        };
        let end = if self.send(encode::reply(&ready, None)).await.is_ok() {
            self.run_loop(&registration).await
        } else {
            End::Gone
        };
        if let End::Close(code, reason) = end {
            close(&mut self.socket, code, reason).await;
        }
        state.app.realtime.disconnect(&self.actions.session).await;
    }

    async fn run_loop(&mut self, registration: &Registration) -> End {
        let settings = self.actions.state.settings;
        let mut pings = interval_at(
            Instant::now() + settings.ping_interval,
            settings.ping_interval,
        );
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        // Created once, not per wake-up: with thousands of sockets woken per fan-out, building a
        // timer entry and a waiter on every turn of the loop was most of the user-space cost of
        // a delivery.
        let mut expires_at = self.actions.session.caller.expires_at;
        let token_expiry = sleep_until(expiry(expires_at));
        let closed = registration.events.closed();
        tokio::pin!(token_expiry, closed);
        loop {
            if self.actions.session.caller.expires_at != expires_at {
                expires_at = self.actions.session.caller.expires_at;
                token_expiry.as_mut().reset(expiry(expires_at));
            }
            tokio::select! {
                biased;
                () = &mut token_expiry => {
                    let expired = PublicError::new(ErrorCode::Unauthorized, "access token expired; re-authenticate with a new token");
                    let _ = self.send(encode::reply(&encode::error(expired), None)).await;
                    return End::Close(close_code::POLICY, "access token expired");
                }
                _ = pings.tick() => {
                    if last_heard.elapsed() > settings.ping_interval * 2 {
                        return End::Gone;
                    }
                    if self.socket.send(Message::Ping(Default::default())).await.is_err() {
                        return End::Gone;
                    }
                }
                next = registration.events.recv() => {
                    let frame = match next {
                        Next::Frame(frame) => frame,
                        Next::Close(reason) => return closing(reason),
                    };
                    // A peer that stops reading blocks the write once the kernel's buffers are
                    // full; its queue then overflows and the hub tells it to close.
                    tokio::select! {
                        written = self.write_queued(frame, registration) => if written.is_err() {
                            return End::Gone;
                        },
                        reason = &mut closed => return closing(reason),
                    }
                }
                incoming = self.socket.next() => {
                    last_heard = Instant::now();
                    match incoming {
                        None => return End::Gone,
                        Some(Err(err)) => return if too_large(err) {
                            End::Close(close_code::SIZE, "frame too large")
                        } else {
                            End::Gone
                        },
                        Some(Ok(Message::Text(text))) => {
                            // Boxed: an action's state (the whole use case it awaits) is large,
                            // and inlining it would make every idle connection's task that big.
                            let reply = Box::pin(self.answer(&text)).await;
                            if let Some(reply) = reply
                                && self.write_reply(reply, registration).await.is_err()
                            {
                                return End::Gone;
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            let error = PublicError::new(ErrorCode::BadRequest, "binary frames are not supported; send JSON text");
                            if self.send(encode::reply(&encode::error(error), None)).await.is_err() {
                                return End::Gone;
                            }
                        }
                        Some(Ok(Message::Close(_))) => return End::Gone,
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    }
                }
            }
        }
    }

    /// Writes `first` and everything else already queued, then flushes once.
    async fn write_queued(
        &mut self,
        first: Arc<Frame>,
        registration: &Registration,
    ) -> Result<(), ()> {
        self.feed_frame(&first).await?;
        self.write_queued_behind(registration).await
    }

    /// Writes the answer to an action and, behind it, the events already queued — after a
    /// send, its own `new_message` is: one flush, so one `write` for both.
    async fn write_reply(
        &mut self,
        reply: Utf8Bytes,
        registration: &Registration,
    ) -> Result<(), ()> {
        self.socket.feed(Message::Text(reply)).await.map_err(drop)?;
        self.write_queued_behind(registration).await
    }

    /// Behind the one frame just fed: feeds the queued events until none is left or a batch of
    /// [`WRITE_BATCH`] frames is full, then flushes everything once.
    async fn write_queued_behind(&mut self, registration: &Registration) -> Result<(), ()> {
        let mut written = 1;
        while written < WRITE_BATCH
            && let Some(frame) = registration.events.try_recv()
        {
            self.feed_frame(&frame).await?;
            written += 1;
        }
        self.socket.flush().await.map_err(drop)
    }

    async fn feed_frame(&mut self, frame: &Frame) -> Result<(), ()> {
        match frame.encoded(Encoding::NativeJson, encode::delivery) {
            Some(text) => self.socket.feed(Message::Text(text)).await.map_err(drop),
            None => Ok(()),
        }
    }

    /// Answers one text frame: the reply to write, if the action has one. Errors are events;
    /// the connection stays usable.
    async fn answer(&mut self, text: &str) -> Option<Utf8Bytes> {
        let limit = self.actions.state.settings.max_action_bytes;
        if text.len() > limit {
            let error = PublicError::new(
                ErrorCode::PayloadTooLarge,
                format!("an action may be at most {limit} bytes"),
            );
            return Some(encode::reply(&encode::error(error), None));
        }
        let parsed = parse(text);
        let outcome = match parsed.action {
            Ok(action) => self.actions.run(action).await,
            Err(error) => Err(error),
        };
        let event = match outcome {
            Ok(Some(event)) => event,
            Ok(None) => return None,
            Err(error) => encode::error(error),
        };
        Some(encode::reply(&event, parsed.request_id.as_ref()))
    }
}

/// How a connection the hub told to close says goodbye.
fn closing(reason: Closing) -> End {
    match reason {
        Closing::ShuttingDown => End::Close(close_code::RESTART, "server restarting; reconnect"),
        Closing::TooSlow => End::Close(TRY_AGAIN_LATER, "slow consumer, resync"),
        Closing::SessionEnded => End::Close(close_code::POLICY, "session has ended; sign in again"),
    }
}

/// Whether a read failed because a frame exceeded the size limit.
fn too_large(err: axum::Error) -> bool {
    err.into_inner()
        .downcast_ref::<tokio_tungstenite::tungstenite::Error>()
        .is_some_and(|e| matches!(e, tokio_tungstenite::tungstenite::Error::Capacity(_)))
}
