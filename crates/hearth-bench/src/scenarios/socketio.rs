//! The Socket.IO face against the native WebSocket, on one server: durable sends per second
//! with `message:send` (each awaited to its ack) over the websocket transport beside
//! `send_message` over `/v1/ws` (S senders each, one after another), and send-to-arrival of one
//! message (sent over REST) to a Socket.IO connection and a `/v1/ws` socket of the same user at
//! once. The issue's budget: Socket.IO throughput ≥ 70 % of the native one, delivery p99 ≤ 2 ×
//! native.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::json;
use uuid::Uuid;

use crate::population::{self, Member};
use crate::scenarios::latency::arrival;
use crate::scenarios::sio_wire;
use crate::scenarios::throughput::{send_ws, timed};
use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = hearth_sdk::Client::new(&process.base)?;
    let senders = sizes.senders.max(2) & !1;
    let users = population::users(&anonymous, "sio", senders).await?;
    let mut conversations = Vec::new();
    for pair in users.chunks(2) {
        if let [a, b] = pair {
            conversations.push(population::direct(a, b).await?);
        }
    }
    let n = sizes.messages_per_sender;
    let setup = format!("{senders} senders × {n} messages; {} probes", sizes.probes);

    let native = timed(&users, &conversations, |user, conversation, i| {
        send_ws(user, conversation, i, n)
    })
    .await?;
    let socketio = timed(&users, &conversations, |user, conversation, i| {
        send_socketio(user, conversation, i, n)
    })
    .await?;
    let total = (senders * n) as f64;
    let native_rate = total / native.as_secs_f64();
    let socketio_rate = total / socketio.as_secs_f64();
    let (native_p, socketio_p) = latencies(&users, &conversations, sizes).await?;
    process.stop()?;

    let row = |metric: &str, value: f64, unit: &'static str| {
        Row::new("socketio", metric, value, unit, &setup)
    };
    let mut share = row(
        "message:send throughput / native ws",
        (100.0 * socketio_rate / native_rate).round(),
        "%",
    );
    let p99_ratio = ms(socketio_p.percentile(99.0)) / ms(native_p.percentile(99.0)).max(0.001);
    let mut ratio = row(
        "delivery p99 / native ws p99",
        (p99_ratio * 100.0).round() / 100.0,
        "×",
    );
    if senders >= 64 {
        share = share.at_least(70.0);
        ratio = ratio.at_most(2.0);
    }
    let percentile =
        |metric: &str, samples: &Samples, p: f64| row(metric, ms(samples.percentile(p)), "ms");
    Ok(vec![
        row("native ws durable messages/s", native_rate.round(), "msg/s"),
        row(
            "message:send durable messages/s",
            socketio_rate.round(),
            "msg/s",
        ),
        share,
        percentile("native ws delivery p50", &native_p, 50.0),
        percentile("native ws delivery p99", &native_p, 99.0),
        percentile("message:new delivery p50", &socketio_p, 50.0),
        percentile("message:new delivery p99", &socketio_p, 99.0),
        ratio,
    ])
}

/// `n` sends as `message:send` on one Socket.IO connection, one after another, each awaited to
/// its ack (keys apart from the native run's).
async fn send_socketio(
    user: &Member,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut socket = sio_wire::connect(user).await?;
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        let ack = i as u64;
        let data = json!({ "conversationId": conversation, "clientMsgId": format!("io{sender}-{i}"), "body": "benchmark message" });
        sio_wire::emit(&mut socket, ack, "message:send", &data).await?;
        let answer = sio_wire::acked(&mut socket, ack).await?;
        if answer.contains(r#""error""#) {
            bail!("message:send refused: {answer}");
        }
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// Send-to-arrival on both faces at once: probes sent over REST by the first user reach the
/// second user's Socket.IO connection and native socket.
async fn latencies(
    users: &[Member],
    conversations: &[Uuid],
    sizes: &Sizes,
) -> anyhow::Result<(Samples, Samples)> {
    let ([prober, listener, ..], Some(conversation)) = (users, conversations.first().copied())
    else {
        bail!("a pair and its conversation");
    };
    let mut native = listener.client.connect().await?;
    // Connected means joined: the connection is in every conversation's room at `40`.
    let mut socketio = sio_wire::connect(listener).await?;
    let (mut on_native, mut on_socketio) = (Vec::new(), Vec::new());
    for i in 0..sizes.probes {
        let key = format!("probe-{i}");
        let sent = Instant::now();
        let probe = prober.client.send_message(conversation, &key, "probe");
        let native_arrival = async {
            arrival(&mut native, &key).await?;
            anyhow::Ok(sent.elapsed())
        };
        let wanted = format!(r#""clientMsgId":"{key}""#);
        let socketio_arrival = async {
            loop {
                let packet = tokio::time::timeout(
                    Duration::from_secs(10),
                    sio_wire::next_packet(&mut socketio),
                )
                .await??;
                if packet.starts_with(r#"42["message:new""#) && packet.contains(&wanted) {
                    return anyhow::Ok(sent.elapsed());
                }
            }
        };
        let (sent_ok, native_at, socketio_at) =
            tokio::join!(probe, native_arrival, socketio_arrival);
        sent_ok?;
        on_native.push(native_at?);
        on_socketio.push(socketio_at?);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok((Samples::new(on_native), Samples::new(on_socketio)))
}
