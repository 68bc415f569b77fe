//! Hearth's Socket.IO face at `/socket.io/`: seed 002's events, verbatim (Socket.IO protocol
//! v5, so the stock `socket.io-client` 4.x works unchanged; polling and websocket transports,
//! the default namespace). The events are written down in `docs/socketio.md`.
//!
//! Like every face it parses, calls a use case of [`hearth_app::App`], and renders; it must
//! never decide who may do or hear what. A socket is one connection of the node's
//! [`hearth_realtime::Hub`], exactly like a `/v1/ws` socket: the hub queues what its user must
//! hear (a conversation's messages reach every member's sockets — the "rooms" of seed 002 —
//! and typing reaches the sockets subscribed to the conversation, which a Socket.IO socket is
//! for every conversation of its user from connect on), and this face writes each delivery as
//! a Socket.IO event. The library (socketioxide) runs the engine.io transports; the face adds
//! one small task per socket that moves the hub's queue to it.

mod connection;
mod encode;
mod events;
mod head;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use hearth_app::App;
use hearth_realtime::Hub;
use socketioxide::SocketIo;
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use tower::layer::util::Stack;

pub use crate::head::{OwnedHead, OwnedHeadLayer};

/// How Socket.IO connections behave.
#[derive(Clone, Copy, Debug)]
pub struct SocketIoSettings {
    /// Packets that may wait to be written to one socket (a polling client's packets wait
    /// for its next poll). A socket that falls further behind is disconnected as a slow
    /// consumer and catches up by `sync:request` when it reconnects.
    pub max_buffered_packets: usize,
    /// How often engine.io pings; a peer that does not answer within `ping_timeout` is
    /// dropped.
    pub ping_interval: Duration,
    /// How long a ping may go unanswered.
    pub ping_timeout: Duration,
    /// Largest packet (and polling request body) accepted, in bytes.
    pub max_payload_bytes: u64,
}

impl Default for SocketIoSettings {
    fn default() -> Self {
        Self {
            max_buffered_packets: 256,
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(20),
            max_payload_bytes: 64 * 1024,
        }
    }
}

/// What every socket shares, behind one pointer (the [`App`] by value is about 1 KB).
#[derive(Clone, Debug)]
pub(crate) struct SioState(Arc<Shared>);

#[derive(Debug)]
pub(crate) struct Shared {
    pub app: App,
    pub hub: Arc<Hub>,
}

impl Deref for SioState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Bytes read from a websocket per `read` call (as `/v1/ws`).
const WS_READ_BUFFER_BYTES: usize = 1024;

/// Where the face answers.
pub(crate) const PATH: &str = "/socket.io";

/// The label the face's metrics carry.
pub(crate) const FACE: &str = "socketio";

/// The Socket.IO face as a tower layer: put it around the server's router, and it answers
/// `/socket.io/` (every other request passes through to the router). Its requests get heads
/// of their own first (see [`OwnedHeadLayer`]).
pub fn layer(
    app: App,
    hub: Arc<Hub>,
    settings: SocketIoSettings,
) -> Stack<SocketIoLayer, OwnedHeadLayer> {
    let state = SioState(Arc::new(Shared { app, hub }));
    let (layer, io) = SocketIo::builder()
        .req_path(PATH)
        .max_buffer_size(settings.max_buffered_packets.max(1))
        .ping_interval(settings.ping_interval)
        .ping_timeout(settings.ping_timeout)
        .max_payload(settings.max_payload_bytes)
        .ws_max_message_size(usize::try_from(settings.max_payload_bytes).unwrap_or(usize::MAX))
        // Allocated up front for every websocket: 1 KiB holds a typical event whole (a larger
        // one is read in steps), where the default 4 KiB made a quarter of an idle socket.
        .ws_read_buffer_size(WS_READ_BUFFER_BYTES)
        .with_state(state)
        .build_layer();
    io.ns("/", connection::connected.with(connection::authenticate));
    Stack::new(layer, OwnedHeadLayer)
}
