//! Hearth's native WebSocket face, `GET /v1/ws`: seed 003's vocabulary (`subscribe`,
//! `send_message`, `user_typing` → `subscribed`, `new_message`, `typing_indicator`, …),
//! extended in the same style. The protocol is written down in `docs/websocket.md`.
//!
//! Like every face, it parses, calls a use case of [`hearth_app::App`], and renders; every
//! permission and limit is the use case's. A connection registers with the node's
//! [`hearth_realtime::Hub`], which queues the events it must hear; the session loop writes
//! them in order, answers the client's actions, pings, and closes with a reason when it must
//! (bad token 1008, oversized frame 1009, slow consumer 1013, server restart 1012).

mod actions;
mod encode;
mod session;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use hearth_app::App;
use hearth_realtime::Hub;
use serde::Deserialize;

/// How WebSocket connections behave.
#[derive(Clone, Copy, Debug)]
pub struct WsSettings {
    /// How often the server pings; a peer silent for two intervals is dropped.
    pub ping_interval: Duration,
    /// How long a connection opened without `?token=` has to send its `auth` action.
    pub auth_timeout: Duration,
    /// Largest frame accepted; a larger one is refused from its header (close 1009) before it
    /// is buffered.
    pub max_frame_bytes: usize,
    /// Largest action; a larger one (within the frame limit) gets a `payload_too_large` error
    /// event and the connection stays usable.
    pub max_action_bytes: usize,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(30),
            auth_timeout: Duration::from_secs(10),
            max_frame_bytes: 64 * 1024,
            max_action_bytes: 32 * 1024,
        }
    }
}

/// What every connection shares, behind one pointer: a connection's task holds it (and its
/// actions hold a clone) for the connection's whole life, and [`App`] by value is about 1 KB —
/// with three copies in the session's state machine, most of an idle socket's task.
#[derive(Clone, Debug)]
struct WsState(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    app: App,
    hub: Arc<Hub>,
    settings: WsSettings,
}

impl Deref for WsState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Bytes read from a socket per `read` call (tungstenite's read buffer).
const READ_BUFFER_BYTES: usize = 1024;

/// The `/v1/ws` route.
pub fn router(app: App, hub: Arc<Hub>, settings: WsSettings) -> Router {
    Router::new()
        .route("/v1/ws", get(upgrade))
        .with_state(WsState(Arc::new(Shared { app, hub, settings })))
}

#[derive(Debug, Deserialize)]
struct ConnectParams {
    token: Option<String>,
}

/// Upgrades the request. A bad `?token=` is answered after the upgrade, with close 1008 and a
/// reason, because a browser cannot read the status of a refused handshake.
async fn upgrade(
    State(state): State<WsState>,
    Query(params): Query<ConnectParams>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let settings = state.settings;
    upgrade
        // Small buffers on purpose: an idle connection should cost a few KiB, not the 128 KiB
        // of the library's defaults. The read buffer is allocated up front and zero-filled on
        // every read attempt (one per wake-up of the session, so once per delivery in a
        // fan-out); 1 KiB holds a typical action whole, and a larger one, up to the frame
        // limit, is read in 1 KiB steps.
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_frame_size(settings.max_frame_bytes)
        .max_message_size(settings.max_frame_bytes)
        .on_upgrade(move |socket| {
            let hub = state.hub.clone();
            hub.track(session::run(socket, state, params.token))
        })
}

#[cfg(test)]
mod tests {
    use super::WsState;

    #[test]
    fn the_shared_state_is_one_pointer() {
        // Every connection's task and actions hold it; a copy of the whole app per connection
        // cost ~3 KB of memory per idle socket.
        assert_eq!(size_of::<WsState>(), size_of::<usize>());
    }
}
