//! Idle connections: how fast C authenticated sockets open, and what each costs the server —
//! native WebSockets (`/v1/ws`), or Socket.IO connections over the websocket transport, spoken
//! raw (Engine.IO 4, Socket.IO 5: the open packet, then `40` with the token, answered `40`).

use std::ops::Range;
use std::time::Instant;

use anyhow::Context;
use futures::{StreamExt, stream};
use hearth_sdk::{Client, Socket};

use crate::population::{self, Member};
use crate::scenarios::sio_wire;
use crate::stats::ms;
use crate::{Row, ServerOptions, ServerProcess, Sizes};

/// Connections per user: sockets are what is measured, not accounts (hashing a password per
/// socket would dominate the setup).
const SOCKETS_PER_USER: usize = 1_000;

/// Which kind of connection is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `/v1/ws`.
    Native,
    /// `/socket.io/` over its websocket transport.
    SocketIo,
}

/// An open connection, held idle: kept only so that it stays open until dropped.
#[allow(dead_code, reason = "held, never read")]
enum Idle {
    Native(Box<Socket>),
    SocketIo(Box<sio_wire::Ws>),
}

pub(crate) async fn run(
    server: &ServerOptions,
    sizes: &Sizes,
    kind: Kind,
) -> anyhow::Result<Vec<Row>> {
    let scenario = match kind {
        Kind::Native => "connections",
        Kind::SocketIo => "connections-socketio",
    };
    let process = ServerProcess::start(server)?;
    let anonymous = Client::new(&process.base)?;
    let count = sizes.connections.max(1);
    let users = population::users(&anonymous, "idle", count.div_ceil(SOCKETS_PER_USER)).await?;
    let before = process.rss_kib()?;

    // Opened in two halves: the growth over the second half is the cost of a connection alone,
    // whatever the allocator kept from the setup (argon2's 19 MiB per hash, reused or not).
    let half = count / 2;
    let started = Instant::now();
    let mut sockets = open(kind, &users, 0..half).await?;
    let at_half = process.rss_kib()?;
    sockets.extend(open(kind, &users, half..count).await?);
    let elapsed = started.elapsed();
    let after = process.rss_kib()?;
    let per_connection = after.saturating_sub(before) as f64 / sockets.len() as f64;
    let marginal = after.saturating_sub(at_half) as f64 / (count - half).max(1) as f64;

    let setup = format!("{} sockets over {} users", sockets.len(), users.len());
    let budget = match kind {
        Kind::Native => 10.0,
        Kind::SocketIo => 16.0,
    };
    let rows = vec![
        Row::new(scenario, "time to open all", ms(elapsed), "ms", &setup),
        Row::new(
            scenario,
            "opened per second",
            (sockets.len() as f64 / elapsed.as_secs_f64()).round(),
            "conn/s",
            &setup,
        ),
        Row::new(
            scenario,
            "server RSS per connection",
            (per_connection * 10.0).round() / 10.0,
            "KiB",
            &setup,
        )
        .at_most(budget),
        Row::new(
            scenario,
            "server RSS per connection, second half",
            (marginal * 10.0).round() / 10.0,
            "KiB",
            &setup,
        ),
        Row::new(
            scenario,
            "server RSS with all open",
            (after as f64 / 102.4).round() / 10.0,
            "MB",
            &setup,
        ),
    ];
    drop(sockets);
    process.stop()?;
    Ok(rows)
}

/// Opens connections `range` of `kind`, spread over `users`, 64 at a time.
async fn open(kind: Kind, users: &[Member], range: Range<usize>) -> anyhow::Result<Vec<Idle>> {
    let sockets: Vec<anyhow::Result<Idle>> = stream::iter(range)
        .map(|i| {
            let user = users.get(i % users.len()).cloned();
            async move {
                let user = user.context("no user")?;
                Ok(match kind {
                    Kind::Native => Idle::Native(Box::new(user.client.connect().await?)),
                    Kind::SocketIo => Idle::SocketIo(Box::new(sio_wire::connect(&user).await?)),
                })
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    sockets.into_iter().collect()
}
