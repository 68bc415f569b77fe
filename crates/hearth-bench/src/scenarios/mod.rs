//! The scenarios, each bounded in count and time.

mod catchup;
mod coldstart;
mod connections;
mod fanout;
mod graphql;
mod latency;
mod sio_wire;
mod socketio;
mod throughput;
mod thumbnails;

use crate::{Row, ServerOptions};

/// A scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Durable messages per second with concurrent senders over WebSocket.
    ThroughputWs,
    /// The same over REST.
    ThroughputRest,
    /// The same over gRPC (`SendMessage`, one HTTP/2 connection per sender).
    ThroughputGrpc,
    /// Send-to-arrival latency under background load.
    Latency,
    /// Idle connections: time to open, server memory per connection.
    Connections,
    /// The same for Socket.IO connections over the websocket transport.
    ConnectionsSocketio,
    /// One message to many devices of one member: time until the last has it; sustained
    /// deliveries/s.
    Fanout,
    /// The same to the members of a room, one device each (registers them all: minutes at
    /// 10,000).
    FanoutRoom,
    /// A client offline for many messages: time for bootstrap + changes.
    Catchup,
    /// Start to first answered request; idle memory.
    Coldstart,
    /// The GraphQL face against the native WebSocket: `sendMessage` throughput, and delivery
    /// latency to a `messageReceived` subscription.
    Graphql,
    /// The Socket.IO face beside the native WebSocket: `message:send` throughput and delivery.
    Socketio,
    /// A 12-megapixel photo uploaded: the upload's answer, and the time until its three
    /// thumbnails are listed.
    Thumbnails,
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 13] = [
        Scenario::ThroughputWs,
        Scenario::ThroughputRest,
        Scenario::ThroughputGrpc,
        Scenario::Latency,
        Scenario::Connections,
        Scenario::ConnectionsSocketio,
        Scenario::Fanout,
        Scenario::FanoutRoom,
        Scenario::Catchup,
        Scenario::Coldstart,
        Scenario::Graphql,
        Scenario::Socketio,
        Scenario::Thumbnails,
    ];
}

/// How big each scenario runs.
#[derive(Clone, Debug)]
pub struct Sizes {
    /// Concurrent senders in the throughput scenarios.
    pub senders: usize,
    /// Messages each sender sends.
    pub messages_per_sender: usize,
    /// Connected clients during the latency scenario.
    pub latency_clients: usize,
    /// Background messages per second during the latency scenario.
    pub background_rate: u32,
    /// Latency probes.
    pub probes: usize,
    /// Idle connections.
    pub connections: usize,
    /// Recipients of the fan-out: devices of one member, or members of a room.
    pub fanout_members: usize,
    /// Messages timed one at a time in the fan-out scenario: enough for a p99 that is not
    /// simply the slowest of them (at 50 the nearest-rank p99 *is* the maximum).
    pub fanout_sends: usize,
    /// Messages sent back to back for sustained fan-out.
    pub fanout_burst: usize,
    /// Conversations of the catching-up user.
    pub catchup_conversations: usize,
    /// Messages missed in all.
    pub catchup_messages: usize,
    /// Cold starts measured.
    pub cold_starts: usize,
    /// Photos uploaded in the thumbnail scenario.
    pub thumbnail_photos: usize,
    /// Their width and height in pixels (the budget's: 4000 × 3000, 12 megapixels).
    pub thumbnail_photo: (u32, u32),
    /// Times each scenario runs, each on a fresh server; the report gives each figure's median.
    pub runs: usize,
}

impl Sizes {
    /// The budget's sizes (docs/performance.md).
    pub fn full() -> Self {
        Self {
            senders: 64,
            messages_per_sender: 300,
            latency_clients: 10_000,
            background_rate: 2_000,
            probes: 2_000,
            connections: 19_000,
            fanout_members: 10_000,
            fanout_sends: 200,
            fanout_burst: 100,
            catchup_conversations: 100,
            catchup_messages: 10_000,
            cold_starts: 5,
            thumbnail_photos: 20,
            thumbnail_photo: (4000, 3000),
            runs: 1,
        }
    }

    /// Toy sizes that exercise every code path in seconds.
    pub fn smoke() -> Self {
        Self {
            senders: 4,
            messages_per_sender: 5,
            latency_clients: 10,
            background_rate: 50,
            probes: 10,
            connections: 20,
            fanout_members: 10,
            fanout_sends: 3,
            fanout_burst: 5,
            catchup_conversations: 3,
            catchup_messages: 30,
            cold_starts: 1,
            thumbnail_photos: 1,
            thumbnail_photo: (400, 300),
            runs: 1,
        }
    }
}

/// Runs one scenario on a fresh server.
pub(crate) async fn run(
    scenario: Scenario,
    server: &ServerOptions,
    sizes: &Sizes,
) -> anyhow::Result<Vec<Row>> {
    match scenario {
        Scenario::ThroughputWs => {
            throughput::run(server, sizes, throughput::Transport::WebSocket).await
        }
        Scenario::ThroughputRest => {
            throughput::run(server, sizes, throughput::Transport::Rest).await
        }
        Scenario::ThroughputGrpc => {
            throughput::run(server, sizes, throughput::Transport::Grpc).await
        }
        Scenario::Latency => latency::run(server, sizes).await,
        Scenario::Connections => connections::run(server, sizes, connections::Kind::Native).await,
        Scenario::ConnectionsSocketio => {
            connections::run(server, sizes, connections::Kind::SocketIo).await
        }
        Scenario::Fanout => fanout::run(server, sizes, fanout::Recipients::Devices).await,
        Scenario::FanoutRoom => fanout::run(server, sizes, fanout::Recipients::Members).await,
        Scenario::Catchup => catchup::run(server, sizes).await,
        Scenario::Coldstart => coldstart::run(server, sizes).await,
        Scenario::Graphql => graphql::run(server, sizes).await,
        Scenario::Socketio => socketio::run(server, sizes).await,
        Scenario::Thumbnails => thumbnails::run(server, sizes).await,
    }
}
