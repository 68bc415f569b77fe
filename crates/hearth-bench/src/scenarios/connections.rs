//! Idle connections: how fast C authenticated sockets open, and what each costs the server.

use std::ops::Range;
use std::time::Instant;

use futures::{StreamExt, stream};
use hearth_sdk::{Client, Socket};

use crate::population::{self, Member};
use crate::stats::ms;
use crate::{Row, ServerOptions, ServerProcess, Sizes};

/// Connections per user: sockets are what is measured, not accounts (hashing a password per
/// socket would dominate the setup).
const SOCKETS_PER_USER: usize = 1_000;

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = Client::new(&process.base)?;
    let count = sizes.connections.max(1);
    let users = population::users(&anonymous, "idle", count.div_ceil(SOCKETS_PER_USER)).await?;
    let before = process.rss_kib()?;

    // Opened in two halves: the growth over the second half is the cost of a connection alone,
    // whatever the allocator kept from the setup (argon2's 19 MiB per hash, reused or not).
    let half = count / 2;
    let started = Instant::now();
    let mut sockets = open(&users, 0..half).await?;
    let at_half = process.rss_kib()?;
    sockets.extend(open(&users, half..count).await?);
    let elapsed = started.elapsed();
    let after = process.rss_kib()?;
    let per_connection = after.saturating_sub(before) as f64 / sockets.len() as f64;
    let marginal = after.saturating_sub(at_half) as f64 / (count - half).max(1) as f64;

    let setup = format!("{} sockets over {} users", sockets.len(), users.len());
    let rows = vec![
        Row::new("connections", "time to open all", ms(elapsed), "ms", &setup),
        Row::new(
            "connections",
            "opened per second",
            (sockets.len() as f64 / elapsed.as_secs_f64()).round(),
            "conn/s",
            &setup,
        ),
        Row::new(
            "connections",
            "server RSS per connection",
            (per_connection * 10.0).round() / 10.0,
            "KiB",
            &setup,
        )
        .at_most(10.0),
        Row::new(
            "connections",
            "server RSS per connection, second half",
            (marginal * 10.0).round() / 10.0,
            "KiB",
            &setup,
        ),
        Row::new(
            "connections",
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

/// Opens sockets `range`, spread over `users`, 64 at a time.
async fn open(users: &[Member], range: Range<usize>) -> anyhow::Result<Vec<Socket>> {
    let sockets: Vec<anyhow::Result<Socket>> = stream::iter(range)
        .map(|i| {
            let user = users.get(i % users.len()).cloned();
            async move {
                Ok(user
                    .ok_or_else(|| anyhow::anyhow!("no user"))?
                    .client
                    .connect()
                    .await?)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    sockets.into_iter().collect()
}
