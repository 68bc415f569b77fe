//! End-to-end latency: from a send (over REST) to `new_message` on the recipient's socket, while C clients are connected and background senders keep R messages/s flowing.
//!
//! On several nodes (`--nodes`), every client speaks to a node of its own turn: the probe is
//! sent on node 1 and read on node 2, and each background pair's partners are on different
//! nodes, so what is measured is the trip across the Redis bus.
//!
//! Most connected clients are idle devices (their users have no conversation with the
//! background senders); the background runs between pairs of users with one device each, so
//! the server delivers each background message twice, as with real users.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{StreamExt, stream};
use hearth_sdk::{Client, Socket};
use serde_json::json;
use tokio::sync::watch;

use crate::population;
use crate::stats::{Samples, ms};
use crate::{Deployment, Row, ServerOptions, Sizes};

const IDLE_SOCKETS_PER_USER: usize = 1_000;
const BACKGROUND_PAIRS: usize = 16;
const PROBE_INTERVAL: Duration = Duration::from_millis(10);

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let deployment = Deployment::start(server)?;
    let anonymous = Client::new(deployment.base(0))?;

    // Background pairs plus the probe pair, one socket each, every socket drained.
    let pairs = population::users(&anonymous, "pair", 2 * (BACKGROUND_PAIRS + 1)).await?;
    let idle_count = sizes.latency_clients.saturating_sub(pairs.len());
    let idle_users = population::users(
        &anonymous,
        "idle",
        idle_count.div_ceil(IDLE_SOCKETS_PER_USER),
    )
    .await?;
    let idle: Vec<anyhow::Result<Socket>> = stream::iter(0..idle_count)
        .map(|i| {
            let user = idle_users.get(i % idle_users.len().max(1)).cloned();
            let base = deployment.base(i).to_owned();
            async move {
                Ok(user
                    .context("idle user")?
                    .on(&base)?
                    .client
                    .connect()
                    .await?)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    for socket in idle {
        drain(socket?);
    }

    let (stop, stopped) = watch::channel(false);
    let background_started = Instant::now();
    let mut background = Vec::new();
    let per_pair_rate = f64::from(sizes.background_rate.max(1)) / BACKGROUND_PAIRS as f64;
    for (k, pair) in pairs.chunks(2).skip(1).enumerate() {
        let [sender, receiver] = pair else { continue };
        let conversation = population::direct(sender, receiver).await?;
        // On several nodes, each pair's sender and receiver speak to different ones.
        drain(
            receiver
                .on(deployment.base(k + 1))?
                .client
                .connect()
                .await?,
        );
        let mut socket = sender.on(deployment.base(k))?.client.connect().await?;
        let mut stopped = stopped.clone();
        let interval = Duration::from_secs_f64(1.0 / per_pair_rate);
        background.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut n = 0u64;
            let mut acked = 0u64;
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = ticks.tick() => {
                        n += 1;
                        let action = json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": format!("bg{k}-{n}"), "content": "background" });
                        if socket.send(&action).await.is_err() { break; }
                    }
                    event = socket.next_event() => match event {
                        Ok(event) if event["type"] == "message_ack" => acked += 1,
                        Ok(_) => {}
                        Err(_) => break,
                    },
                }
            }
            acked
        }));
    }

    let [prober, listener] = pairs.get(..2).context("probe pair")? else {
        anyhow::bail!("probe pair")
    };
    let conversation = population::direct(prober, listener).await?;
    // Sent on the first node, read on the second (the same one when there is one).
    let mut listening = listener.on(deployment.base(1))?.client.connect().await?;
    tokio::time::sleep(Duration::from_millis(500)).await; // let the background reach its rate

    let mut samples = Vec::with_capacity(sizes.probes);
    for i in 0..sizes.probes {
        let key = format!("probe-{i}");
        let sent = Instant::now();
        // Probes go over REST: the prober then has no socket whose queue it would have to read.
        let probe = prober.client.send_message(conversation, &key, "probe");
        let arrived = async {
            arrival(&mut listening, &key).await?;
            anyhow::Ok(sent.elapsed())
        };
        let (sent_ok, arrived) = tokio::join!(probe, arrived);
        sent_ok?;
        samples.push(arrived?);
        tokio::time::sleep(PROBE_INTERVAL).await;
    }
    let _ = stop.send(true);
    let background_time = background_started.elapsed();
    let mut acknowledged = 0u64;
    for task in background {
        acknowledged += task.await.unwrap_or(0);
    }

    let samples = Samples::new(samples);
    let mut setup = format!(
        "{} sockets connected, {} msg/s background over {BACKGROUND_PAIRS} pairs, {} probes",
        sizes.latency_clients,
        sizes.background_rate,
        samples.len()
    );
    if deployment.len() > 1 {
        setup.push_str(&format!(
            ", spread over {} nodes, probes sent on node 1 and read on node 2",
            deployment.len()
        ));
    }
    let budgeted = sizes.latency_clients >= 10_000 && sizes.background_rate >= 2_000;
    let row = |metric: &str, value: Duration, budget: Option<f64>| {
        let row = Row::new("latency", metric, ms(value), "ms", &setup);
        match budget {
            Some(limit) if budgeted => row.at_most(limit),
            _ => row,
        }
    };
    let achieved = acknowledged as f64 / background_time.as_secs_f64();
    let rows = vec![
        row("send to arrival p50", samples.percentile(50.0), Some(10.0)),
        row("send to arrival p95", samples.percentile(95.0), None),
        row("send to arrival p99", samples.percentile(99.0), Some(50.0)),
        row(
            "send to arrival p99.9",
            samples.percentile(99.9),
            Some(200.0),
        ),
        row("send to arrival max", samples.max(), None),
        Row::new(
            "latency",
            "background achieved",
            achieved.round(),
            "msg/s",
            &setup,
        ),
    ];
    deployment.stop()?;
    Ok(rows)
}

/// Reads `socket`'s events until the `new_message` of the message sent with `key` (10 s at
/// most between two events).
pub(crate) async fn arrival(socket: &mut Socket, key: &str) -> anyhow::Result<()> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), socket.next_event()).await??;
        if event["type"] == "new_message" && event["message"]["client_message_id"] == key {
            return Ok(());
        }
    }
}

/// Reads and discards a socket's events until it closes, so it never counts as slow.
fn drain(mut socket: Socket) {
    tokio::spawn(async move { while socket.next_event().await.is_ok() {} });
}
