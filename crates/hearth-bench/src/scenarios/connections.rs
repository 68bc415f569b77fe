//! Idle connections: how fast C authenticated sockets open, and what each costs the server.

use std::time::Instant;

use futures::{StreamExt, stream};
use hearth_sdk::{Client, Socket};

use crate::population;
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

    let started = Instant::now();
    let sockets: Vec<anyhow::Result<Socket>> = stream::iter(0..count)
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
    let elapsed = started.elapsed();
    let sockets: Vec<Socket> = sockets.into_iter().collect::<anyhow::Result<_>>()?;
    let after = process.rss_kib()?;
    let per_connection = after.saturating_sub(before) as f64 / sockets.len() as f64;

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
