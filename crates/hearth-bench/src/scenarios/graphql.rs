//! The GraphQL face against the native WebSocket, on one server: durable sends per second
//! with `sendMessage` over `POST /graphql` and over the `graphql-transport-ws` socket, beside
//! `send_message` over `/v1/ws` (S senders each, one after another), and send-to-arrival latency of one message (sent over REST) to a
//! `messageReceived` subscription and to a `/v1/ws` socket of the same user at once. The issue's
//! budget: GraphQL throughput ≥ 70 % of the native one, GraphQL delivery p99 ≤ 2 × native.

use std::time::{Duration, Instant};

use anyhow::bail;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::population::{self, Member};
use crate::scenarios::latency::arrival;
use crate::scenarios::throughput::{send_ws, timed};
use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

const SEND: &str = "mutation($c: ID!, $k: String!) { sendMessage(conversationId: $c, content: \"benchmark message\", clientMessageId: $k) { id } }";
const RECEIVE: &str =
    "subscription($c: ID!) { messageReceived(conversationId: $c) { clientMessageId } }";

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = hearth_sdk::Client::new(&process.base)?;
    let senders = sizes.senders.max(2) & !1;
    let users: Vec<Sender> = population::users(&anonymous, "gql", senders)
        .await?
        .into_iter()
        .map(|member| {
            let token = member.access_token.clone();
            (member, token)
        })
        .collect();
    let mut conversations = Vec::new();
    for pair in users.chunks(2) {
        if let [(a, _), (b, _)] = pair {
            conversations.push(population::direct(a, b).await?);
        }
    }
    let http = reqwest::Client::new();
    let n = sizes.messages_per_sender;
    let setup = format!("{senders} senders × {n} messages; {} probes", sizes.probes);

    let native = timed(&users, &conversations, |(user, _), conversation, i| {
        send_ws(user, conversation, i, n)
    })
    .await?;
    let graphql = timed(&users, &conversations, |(_, token), conversation, i| {
        send_graphql(&http, &process.base, token, conversation, i, n)
    })
    .await?;
    let over_ws = timed(&users, &conversations, |(_, token), conversation, i| {
        send_graphql_ws(&process.base, token, conversation, i, n)
    })
    .await?;
    let total = (senders * n) as f64;
    let native_rate = total / native.as_secs_f64();
    let graphql_rate = total / graphql.as_secs_f64();
    let over_ws_rate = total / over_ws.as_secs_f64();
    let budgeted = senders >= 64;

    let (native_p, graphql_p) = latencies(&process.base, &users, &conversations, sizes).await?;
    let row = |metric: &str, value: f64, unit: &'static str| {
        Row::new("graphql", metric, value, unit, &setup)
    };
    let post_share = row(
        "sendMessage (POST) throughput / native ws",
        (100.0 * graphql_rate / native_rate).round(),
        "%",
    );
    let mut share = row(
        "sendMessage (websocket) throughput / native ws",
        (100.0 * over_ws_rate / native_rate).round(),
        "%",
    );
    let p99_ratio = ms(graphql_p.percentile(99.0)) / ms(native_p.percentile(99.0)).max(0.001);
    let mut ratio = row(
        "delivery p99 / native ws p99",
        (p99_ratio * 100.0).round() / 100.0,
        "×",
    );
    let percentile =
        |metric: &str, samples: &Samples, p: f64| row(metric, ms(samples.percentile(p)), "ms");
    if budgeted {
        share = share.at_least(70.0);
        ratio = ratio.at_most(2.0);
    }
    Ok(vec![
        row("native ws durable messages/s", native_rate.round(), "msg/s"),
        row(
            "sendMessage (POST) durable messages/s",
            graphql_rate.round(),
            "msg/s",
        ),
        row(
            "sendMessage (websocket) durable messages/s",
            over_ws_rate.round(),
            "msg/s",
        ),
        post_share,
        share,
        percentile("native ws delivery p50", &native_p, 50.0),
        percentile("native ws delivery p99", &native_p, 99.0),
        percentile("messageReceived delivery p50", &graphql_p, 50.0),
        percentile("messageReceived delivery p99", &graphql_p, 99.0),
        ratio,
    ])
}

/// A sender: the member and the access token its client speaks with.
type Sender = (Member, String);

/// `n` sends over `POST /graphql`, one after another (keys apart from the native run's).
async fn send_graphql(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        let body = json!({ "query": SEND, "variables": { "c": conversation, "k": format!("g{sender}-{i}") } });
        let answer: Value = http
            .post(format!("{base}/graphql"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        if !answer["errors"].is_null() {
            bail!("sendMessage refused: {answer}");
        }
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// `n` sends as `sendMessage` operations on one `graphql-transport-ws` socket, one after
/// another, each awaited to its answer (keys apart from the other runs').
async fn send_graphql_ws(
    base: &str,
    token: &str,
    conversation: Uuid,
    sender: usize,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut ws = open(base, token).await?;
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let id = i.to_string();
        let sent = Instant::now();
        let start = json!({ "id": id, "type": "subscribe", "payload": { "query": SEND, "variables": { "c": conversation, "k": format!("w{sender}-{i}") } } });
        ws.send(Message::text(start.to_string())).await?;
        loop {
            let answer = next_json(&mut ws).await?;
            if answer["id"] != id.as_str() {
                continue;
            }
            if answer["type"] == "next" {
                if !answer["payload"]["errors"].is_null() {
                    bail!("sendMessage refused: {answer}");
                }
                break;
            }
            if answer["type"] == "error" {
                bail!("sendMessage refused: {answer}");
            }
        }
        latencies.push(sent.elapsed());
    }
    ws.close(None).await?;
    Ok(latencies)
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A `graphql-transport-ws` connection, acknowledged.
async fn open(base: &str, token: &str) -> anyhow::Result<Ws> {
    let mut request =
        format!("{}/graphql", base.replacen("http", "ws", 1)).into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::text(init.to_string())).await?;
    let ack = next_json(&mut ws).await?;
    if ack["type"] != "connection_ack" {
        bail!("expected connection_ack, got {ack}");
    }
    Ok(ws)
}

/// A `graphql-transport-ws` connection with one `messageReceived` subscription.
async fn subscribe(base: &str, token: &str, conversation: Uuid) -> anyhow::Result<Ws> {
    let mut ws = open(base, token).await?;
    let start = json!({ "id": "1", "type": "subscribe", "payload": { "query": RECEIVE, "variables": { "c": conversation } } });
    ws.send(Message::text(start.to_string())).await?;
    Ok(ws)
}

async fn next_json(ws: &mut Ws) -> anyhow::Result<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await? {
            Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text)?),
            Some(Ok(Message::Close(frame))) => bail!("closed: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(err.into()),
            None => bail!("closed"),
        }
    }
}

/// The next `messageReceived` with this key.
async fn received(ws: &mut Ws, key: &str) -> anyhow::Result<()> {
    loop {
        let event = next_json(ws).await?;
        if event["payload"]["data"]["messageReceived"]["clientMessageId"] == key {
            return Ok(());
        }
        if event["type"] == "error" || !event["payload"]["errors"].is_null() {
            bail!("subscription failed: {event}");
        }
    }
}

/// Send-to-arrival on both faces at once: probes sent over REST by the first user reach the
/// second user's subscription and native socket.
async fn latencies(
    base: &str,
    users: &[Sender],
    conversations: &[Uuid],
    sizes: &Sizes,
) -> anyhow::Result<(Samples, Samples)> {
    let ([(prober, _), (listener, listener_token), ..], Some(conversation)) =
        (users, conversations.first().copied())
    else {
        bail!("a pair and its conversation");
    };
    let mut native = listener.client.connect().await?;
    let mut graphql = subscribe(base, listener_token, conversation).await?;
    // The protocol does not acknowledge a subscription: warm-up probes until one arrives.
    let mut live = false;
    for i in 0..50 {
        let key = format!("warm-{i}");
        prober
            .client
            .send_message(conversation, &key, "warm-up")
            .await?;
        if tokio::time::timeout(Duration::from_millis(200), received(&mut graphql, &key))
            .await
            .is_ok()
        {
            live = true;
            break;
        }
    }
    if !live {
        bail!("the subscription never delivered");
    }
    let (mut on_native, mut on_graphql) = (Vec::new(), Vec::new());
    for i in 0..sizes.probes {
        let key = format!("probe-{i}");
        let sent = Instant::now();
        let probe = prober.client.send_message(conversation, &key, "probe");
        let native_arrival = async {
            arrival(&mut native, &key).await?;
            anyhow::Ok(sent.elapsed())
        };
        let graphql_arrival = async {
            received(&mut graphql, &key).await?;
            anyhow::Ok(sent.elapsed())
        };
        let (sent_ok, native_at, graphql_at) = tokio::join!(probe, native_arrival, graphql_arrival);
        sent_ok?;
        on_native.push(native_at?);
        on_graphql.push(graphql_at?);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok((Samples::new(on_native), Samples::new(on_graphql)))
}
