//! One authenticated `graphql-transport-ws` connection's life on the node's hub.
//!
//! A connection is one hub registration and one realtime session, exactly like a `/v1/ws`
//! socket (so its user is online while it is open). One task per connection moves the hub's
//! queue into a small broadcast channel that each of the connection's subscriptions reads and
//! filters; the hub decides who hears what (audience, history visibility), and this module
//! only hands it on. A connection the hub closes (it fell behind; the node is shutting down),
//! whose subscription lags the channel, or whose token expires is closed with a code the
//! client can act on. This module must never decide who may hear anything.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_app::App;
use hearth_app::realtime::{Delivery, RealtimeSession};
use hearth_realtime::{Closing, Next, Registration};
use tokio::sync::{Notify, broadcast};
use tokio::time::{Instant, sleep_until};

use crate::FACE;

/// Close codes of the connection (graphql-ws's own, and the WebSocket ones `/v1/ws` uses).
pub(crate) mod codes {
    /// A bad, missing or expired token (graphql-ws: Forbidden).
    pub const FORBIDDEN: u16 = 4403;
    /// It fell behind: reconnect and catch up by reading the history.
    pub const TOO_SLOW: u16 = 1013;
    /// The node is shutting down: reconnect.
    pub const RESTARTING: u16 = 1012;
    /// No `connection_init` in time (graphql-ws: Connection initialisation timeout).
    pub const INIT_TIMEOUT: u16 = 4408;
}

/// What the socket and its connection's task tell each other.
#[derive(Debug, Default)]
pub(crate) struct Link {
    /// Rung when the connection must close, with the code and reason in `close`.
    pub closing: Notify,
    close: Mutex<Option<(u16, &'static str)>>,
    /// Rung when the socket has gone, so the task ends.
    pub gone: Notify,
}

impl Link {
    /// Asks the socket to close with `code`; the first reason given stays.
    pub(crate) fn close(&self, code: u16, reason: &'static str) {
        let mut close = self.close.lock().unwrap_or_else(|e| e.into_inner());
        if close.is_none() {
            *close = Some((code, reason));
            self.closing.notify_one();
        }
    }

    /// The close asked for.
    pub(crate) fn reason(&self) -> (u16, &'static str) {
        self.close
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or((1000, ""))
    }
}

/// An authenticated connection, in the data of every operation it runs.
#[derive(Debug)]
pub(crate) struct Live {
    /// The realtime use case's view of the connection.
    pub session: RealtimeSession,
    deliveries: broadcast::Sender<Arc<Delivery>>,
    /// How to close the socket.
    pub link: Arc<Link>,
}

impl Live {
    /// The deliveries from now on, for one subscription.
    pub(crate) fn deliveries(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.deliveries.subscribe()
    }
}

/// Starts a connection's task: from now on the hub's deliveries reach its subscriptions.
pub(crate) fn start(
    app: App,
    hub: &hearth_realtime::Hub,
    session: RealtimeSession,
    registration: Registration,
    link: Arc<Link>,
    buffer: usize,
) -> Arc<Live> {
    let (deliveries, _) = broadcast::channel(buffer.max(1));
    let live = Arc::new(Live {
        session,
        deliveries,
        link,
    });
    let span = tracing::info_span!(
        "graphql_ws",
        user_id = %live.session.caller.user_id,
        connection = live.session.connection.get(),
    );
    let task = run(app, live.clone(), registration);
    tokio::spawn(tracing::Instrument::instrument(hub.track(task), span));
    live
}

/// When a token that expires at `exp` (Unix seconds) stops being accepted, as an instant.
fn expiry(exp: i64) -> Instant {
    let left = exp - time::OffsetDateTime::now_utc().unix_timestamp();
    Instant::now() + Duration::from_secs(u64::try_from(left.max(0)).unwrap_or(0))
}

/// Moves the hub's queue to the subscriptions until the socket goes, the token expires, or
/// the hub tells the connection to close; then the realtime session ends.
async fn run(app: App, live: Arc<Live>, registration: Registration) {
    metrics::counter!("hearth_face_connections_total", "face" => FACE).increment(1);
    metrics::gauge!("hearth_face_connections", "face" => FACE).increment(1.0);
    let token_expiry = sleep_until(expiry(live.session.caller.expires_at));
    tokio::pin!(token_expiry);
    loop {
        tokio::select! {
            biased;
            () = live.link.gone.notified() => break,
            () = &mut token_expiry => {
                live.link.close(codes::FORBIDDEN, "access token expired; connect again with a new token");
                break;
            }
            next = registration.events.recv() => match next {
                Next::Frame(frame) => {
                    app.realtime.follow(&live.session, &frame.delivery).await;
                    // No subscription listening is fine: the delivery is for none of them.
                    let _ = live.deliveries.send(frame.delivery.clone());
                }
                Next::Close(Closing::TooSlow) => {
                    live.link.close(codes::TOO_SLOW, "slow consumer, resync");
                    break;
                }
                Next::Close(Closing::ShuttingDown) => {
                    live.link.close(codes::RESTARTING, "server restarting");
                    break;
                }
                Next::Close(Closing::SessionEnded) => {
                    live.link.close(codes::FORBIDDEN, "session has ended; sign in again");
                    break;
                }
            },
        }
    }
    app.realtime.disconnect(&live.session).await;
    metrics::gauge!("hearth_face_connections", "face" => FACE).decrement(1.0);
}
