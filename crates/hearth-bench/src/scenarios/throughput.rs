//! Durable send throughput: S senders, each sending its messages one after another and
//! waiting for each acknowledgement (which comes only after the commit). Afterwards every
//! conversation is read back: each message stored once, seqs gap-free.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::future::try_join_all;
use hearth_sdk::Client;
use serde_json::json;
use uuid::Uuid;

use crate::population::{self, Member};
use crate::stats::{Samples, ms};
use crate::{Deployment, Row, ServerOptions, Sizes};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    WebSocket,
    Rest,
    Grpc,
}

pub(crate) async fn run(
    server: &ServerOptions,
    sizes: &Sizes,
    transport: Transport,
) -> anyhow::Result<Vec<Row>> {
    let deployment = Deployment::start(server)?;
    let anonymous = Client::new(deployment.base(0))?;
    let senders = sizes.senders.max(2) & !1; // senders pair up in direct conversations
    // Sender i speaks to node i: on several nodes, each pair's partners are on different
    // nodes, so every message also crosses the bus.
    let users = population::users(&anonymous, "sender", senders)
        .await?
        .iter()
        .enumerate()
        .map(|(i, user)| user.on(deployment.base(i)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut conversations = Vec::new();
    for pair in users.chunks(2) {
        if let [a, b] = pair {
            conversations.push(population::direct(a, b).await?);
        }
    }

    let n = sizes.messages_per_sender;
    let started = Instant::now();
    let latencies: Vec<Vec<Duration>> = try_join_all(users.iter().enumerate().map(|(i, user)| {
        let conversation = conversations.get(i / 2).copied();
        let base = user.client.base().to_owned();
        async move {
            let conversation = conversation.context("conversation")?;
            match transport {
                Transport::WebSocket => send_ws(user, conversation, i, n).await,
                Transport::Rest => send_rest(user, conversation, i, n).await,
                Transport::Grpc => send_grpc(&base, user, conversation, i, n).await,
            }
        }
    }))
    .await?;
    let elapsed = started.elapsed();
    let total = senders * n;
    let latencies = Samples::new(latencies.into_iter().flatten().collect());

    for (k, conversation) in conversations.iter().enumerate() {
        let reader = users.get(2 * k).context("reader")?;
        verify(&reader.client, *conversation, 2 * n).await?;
    }

    let (name, mut setup) = match transport {
        Transport::WebSocket => (
            "throughput-ws",
            format!("{senders} senders × {n} messages over WebSocket"),
        ),
        Transport::Rest => (
            "throughput-rest",
            format!("{senders} senders × {n} messages over REST"),
        ),
        Transport::Grpc => (
            "throughput-grpc",
            format!("{senders} senders × {n} messages over gRPC"),
        ),
    };
    if deployment.len() > 1 {
        setup.push_str(&format!(", spread over {} nodes", deployment.len()));
    }
    deployment.stop()?;
    let rate = total as f64 / elapsed.as_secs_f64();
    let mut throughput = Row::new(name, "durable messages/s", rate.round(), "msg/s", &setup);
    if transport == Transport::WebSocket && senders >= 64 {
        // PostgreSQL's line, for one node or several in total, is lower than SQLite's.
        let budget = if server.postgres.is_some() {
            5_000.0
        } else {
            10_000.0
        };
        throughput = throughput.at_least(budget);
    }
    Ok(vec![
        throughput,
        Row::new(
            name,
            "ack latency p50",
            ms(latencies.percentile(50.0)),
            "ms",
            &setup,
        ),
        Row::new(
            name,
            "ack latency p99",
            ms(latencies.percentile(99.0)),
            "ms",
            &setup,
        ),
        Row::new(
            name,
            "verified stored once, in order",
            total as f64,
            "messages",
            &setup,
        ),
    ])
}

/// Every sender sends its messages with `send`, all at once, sender i in conversation i / 2;
/// the time it took.
pub(crate) async fn timed<'a, U, F, Fut>(
    users: &'a [U],
    conversations: &[Uuid],
    send: F,
) -> anyhow::Result<Duration>
where
    F: Fn(&'a U, Uuid, usize) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Duration>>>,
{
    let started = Instant::now();
    try_join_all(users.iter().enumerate().map(|(i, user)| {
        let conversation = conversations.get(i / 2).copied();
        let sent = conversation.map(|c| send(user, c, i));
        async move { sent.context("conversation")?.await }
    }))
    .await?;
    Ok(started.elapsed())
}

pub(crate) async fn send_ws(
    user: &Member,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut socket = user.client.connect().await?;
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let key = format!("s{sender}-{i}");
        let sent = Instant::now();
        socket
            .send(&json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": key, "content": "benchmark message" }))
            .await?;
        // Found in the raw text, not parsed: every sender also receives its partner's
        // messages, and JSON parsing them all would take CPU from the server being measured.
        let acknowledged = format!(r#""client_message_id":"{key}""#);
        loop {
            let text = socket.next_text().await?;
            if text.contains(ACK) && text.contains(&acknowledged) {
                break;
            }
            if text.contains(ERROR) {
                bail!("send refused: {text}");
            }
        }
        latencies.push(sent.elapsed());
    }
    socket.close().await?;
    Ok(latencies)
}

async fn send_rest(
    user: &Member,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        user.client
            .send_message(conversation, &format!("s{sender}-{i}"), "benchmark message")
            .await?;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// Sends over gRPC `SendMessage` on a connection of the sender's own (as each REST sender
/// keeps its own keep-alive connection).
async fn send_grpc(
    base: &str,
    user: &Member,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    use hearth_grpc::pb::SendMessageRequest;
    use hearth_grpc::pb::messenger_service_client::MessengerServiceClient;

    let authorization: tonic::metadata::MetadataValue<_> =
        format!("Bearer {}", user.access_token).parse()?;
    let channel = tonic::transport::Endpoint::from_shared(base.to_owned())?
        .connect()
        .await
        .context("gRPC connect")?;
    let mut client = MessengerServiceClient::new(channel);
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let mut request = tonic::Request::new(SendMessageRequest {
            conversation_id: conversation.to_string(),
            sender_id: user.id.to_string(),
            content: "benchmark message".to_owned(),
            client_message_id: Some(format!("s{sender}-{i}")),
            attachment_ids: Vec::new(),
        });
        request
            .metadata_mut()
            .insert("authorization", authorization.clone());
        let sent = Instant::now();
        client
            .send_message(request)
            .await
            .context("gRPC SendMessage")?;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// How an acknowledgement's text says what it is (compact JSON, as the server writes it).
const ACK: &str = r#""type":"message_ack""#;
/// How an error event's text says what it is.
const ERROR: &str = r#""type":"error""#;

/// Every message stored exactly once, seqs 2.. without a gap (seq 1 is the creation).
async fn verify(client: &Client, conversation: Uuid, expected: usize) -> anyhow::Result<()> {
    let mut after = 0;
    let mut keys = HashSet::new();
    let mut next_seq = 2;
    loop {
        let page = client.messages_after(conversation, after, 100).await?;
        for message in &page.messages {
            ensure!(
                message.seq == next_seq,
                "gap or disorder at seq {} (expected {next_seq})",
                message.seq
            );
            ensure!(
                keys.insert(message.client_message_id.clone()),
                "{} stored twice",
                message.client_message_id
            );
            next_seq += 1;
            after = message.seq;
        }
        if !page.has_more {
            break;
        }
    }
    ensure!(
        keys.len() == expected,
        "{} stored, {expected} acknowledged",
        keys.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ACK, ERROR};

    #[test]
    fn events_are_told_apart_by_their_type() {
        let ack = r#"{"type":"message_ack","client_message_id":"s1-2","message":{}}"#;
        assert!(ack.contains(ACK));
        assert!(!ack.contains(ERROR));
    }
}
