//! Fan-out: one message to M recipients, each reading on its own socket. Measured: time from
//! send to the last socket having it; and sustained deliveries per second for a burst.
//!
//! Two kinds of recipients: M devices of one member subscribed to a direct conversation
//! (`fanout`: the hub and the sockets alone, cheap to set up), and M members of a room, one
//! device each (`fanout-room`: the budget's case, with the room's audience computed per send;
//! setting it up registers M users, which costs minutes of password hashing at 10,000).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{StreamExt, TryStreamExt, stream};
use hearth_proto::CreateConversationRequest;
use hearth_sdk::{Client, Socket};
use serde_json::json;
use tokio::sync::Notify;
use uuid::Uuid;

mod readers;

use crate::population::{self, Member};
use crate::stats::{Samples, ms};
use crate::{Deployment, Row, ServerOptions, Sizes};

/// Who the M recipients are.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Recipients {
    /// Devices of one member, subscribed to a direct conversation with the sender.
    Devices,
    /// Members of a room, one device each.
    Members,
}

impl Recipients {
    fn scenario(self) -> &'static str {
        match self {
            Self::Devices => "fanout",
            Self::Members => "fanout-room",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Devices => "device",
            Self::Members => "member",
        }
    }
}

/// Sockets opened at a time while setting up.
const OPENING: usize = 64;

/// How long the readers may take to see every socket closed once the server has stopped.
const READERS_END_WITHIN: Duration = Duration::from_secs(10);

pub(crate) async fn run(
    server: &ServerOptions,
    sizes: &Sizes,
    recipients: Recipients,
) -> anyhow::Result<Vec<Row>> {
    let deployment = Deployment::start(server)?;
    let anonymous = Client::new(deployment.base(0))?;
    let count = sizes.fanout_members.max(1);
    let (sender, conversation, sockets) = match recipients {
        Recipients::Devices => devices(&anonymous, &deployment, count).await?,
        Recipients::Members => room(&anonymous, &deployment, count).await?,
    };
    let (rows, readers) = measure(
        recipients,
        &sender,
        conversation,
        sockets,
        sizes,
        deployment.len(),
    )
    .await?;
    deployment.stop()?;
    tokio::task::spawn_blocking(move || readers.wait(READERS_END_WITHIN)).await??;
    Ok(rows)
}

/// A sender and `count` devices of one recipient, each subscribed to their direct conversation.
async fn devices(
    anonymous: &Client,
    deployment: &Deployment,
    count: usize,
) -> anyhow::Result<(Member, Uuid, Vec<Socket>)> {
    let users = population::users(anonymous, "fan", 2).await?;
    let (sender, recipient) = (
        users.first().context("sender")?,
        users.get(1).context("recipient")?,
    );
    let conversation = population::direct(sender, recipient).await?;
    let sockets = stream::iter(0..count)
        .map(|i| async move {
            // Device i on node i: the sender is on the first.
            let mut socket = recipient
                .on(deployment.base(i + 1))?
                .client
                .connect()
                .await?;
            socket
                .send(&json!({ "action": "subscribe", "conversation_id": conversation }))
                .await?;
            socket.next_of("subscribed").await?;
            anyhow::Ok(socket)
        })
        .buffer_unordered(OPENING)
        .try_collect()
        .await?;
    Ok((sender.clone(), conversation, sockets))
}

/// A sender who owns a room, and `count` members who joined it, each with one device.
async fn room(
    anonymous: &Client,
    deployment: &Deployment,
    count: usize,
) -> anyhow::Result<(Member, Uuid, Vec<Socket>)> {
    let users = population::users(anonymous, "room", count + 1).await?;
    let (sender, members) = users.split_first().context("sender")?;
    let request = CreateConversationRequest {
        kind: "room".to_owned(),
        title: Some("Fan-out".to_owned()),
        ..CreateConversationRequest::default()
    };
    let conversation = sender.client.create_conversation(&request).await?.id;
    stream::iter(members)
        .map(|member| member.client.join(conversation))
        .buffer_unordered(OPENING)
        .try_collect::<Vec<_>>()
        .await
        .context("join the room")?;
    let sockets = stream::iter(members.iter().enumerate())
        .map(|(i, member)| async move {
            // Member i on node i + 1: the sender is on the first.
            anyhow::Ok(member.on(deployment.base(i + 1))?.client.connect().await?)
        })
        .buffer_unordered(OPENING)
        .try_collect()
        .await?;
    Ok((sender.clone(), conversation, sockets))
}

/// Times one-at-a-time sends and a burst from `sender` to the readers of `sockets`.
async fn measure(
    recipients: Recipients,
    sender: &Member,
    conversation: Uuid,
    sockets: Vec<Socket>,
    sizes: &Sizes,
    nodes: usize,
) -> anyhow::Result<(Vec<Row>, readers::Readers)> {
    let count = sockets.len();
    let sends = sizes.fanout_sends;
    let burst = sizes.fanout_burst.max(1);
    let arrivals = Arc::new(Arrivals::new(sends + burst, count));
    let streams = sockets
        .into_iter()
        .map(|socket| {
            socket
                .into_tcp()
                .context("the fan-out scenario reads plain TCP")?
                .into_std()
                .context("a device's socket")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let readers = readers::start(streams, arrivals.clone(), sends)?;
    let mut sending = sender.client.connect().await?;

    // One at a time: send, then wait until every socket has it.
    let mut last_arrivals = Vec::new();
    for i in 0..sends {
        let sent = Instant::now();
        sending.send(&json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": format!("one-{i}"), "content": "fan-out" })).await?;
        arrivals
            .wait_for(Duration::from_secs(30), || arrivals.complete(i))
            .await?;
        last_arrivals.push(arrivals.last_arrival(i).saturating_duration_since(sent));
    }

    // A burst: every send queued at once; deliveries/s until the last socket has the last one.
    let started = Instant::now();
    for i in 0..burst {
        sending.send(&json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": format!("burst-{i}"), "content": "fan-out" })).await?;
    }
    let burst_slots = sends..sends + burst;
    arrivals
        .wait_for(Duration::from_secs(60), || {
            burst_slots.clone().all(|slot| arrivals.complete(slot))
        })
        .await?;
    let last = burst_slots
        .map(|slot| arrivals.last_arrival(slot))
        .max()
        .unwrap_or(started);
    let deliveries_per_second =
        (burst * count) as f64 / last.saturating_duration_since(started).as_secs_f64();

    let samples = Samples::new(last_arrivals);
    let (scenario, noun) = (recipients.scenario(), recipients.noun());
    let mut setup = format!(
        "{count} {noun}s online, {} timed sends, burst of {burst}",
        samples.len()
    );
    if nodes > 1 {
        setup.push_str(&format!(", spread over {nodes} nodes"));
    }
    let send_to_last = |figure: &str, time: Duration| {
        Row::new(
            scenario,
            format!("send to last {noun} {figure}"),
            ms(time),
            "ms",
            &setup,
        )
    };
    let p50 = send_to_last("p50", samples.percentile(50.0));
    let p99 = send_to_last("p99", samples.percentile(99.0));
    let slowest = send_to_last("max", samples.max());
    let sustained = Row::new(
        scenario,
        "sustained deliveries/s",
        deliveries_per_second.round(),
        "deliveries/s",
        &setup,
    );
    // The budget is stated for 10,000 recipients: on one node, and (the last one only) spread
    // over several.
    let rows = if count >= 10_000 && nodes > 1 {
        vec![p50, p99.at_most(150.0), slowest, sustained]
    } else if count >= 10_000 {
        vec![
            p50,
            p99.at_most(100.0),
            slowest,
            sustained.at_least(250_000.0),
        ]
    } else {
        vec![p50, p99, slowest, sustained]
    };
    Ok((rows, readers))
}

/// Where the readers record arrivals: for each tracked message (a slot), how many devices have
/// it and when the last one got it. Atomics, so that 10,000 readers never wake the
/// coordinator per arrival (a channel did: its wake-ups were a fifth of the load generator's
/// CPU, taken from the server it measures); the coordinator is woken when a message has
/// reached every device.
pub(super) struct Arrivals {
    origin: Instant,
    members: usize,
    counts: Vec<AtomicUsize>,
    /// Nanoseconds after `origin` of the latest arrival.
    latest: Vec<AtomicU64>,
    completed: Notify,
}

impl Arrivals {
    fn new(slots: usize, members: usize) -> Self {
        Self {
            origin: Instant::now(),
            members,
            counts: (0..slots).map(|_| AtomicUsize::new(0)).collect(),
            latest: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            completed: Notify::new(),
        }
    }

    /// One device has the message of `slot`, now.
    pub(super) fn record(&self, slot: usize) {
        let at = u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if let (Some(count), Some(latest)) = (self.counts.get(slot), self.latest.get(slot)) {
            latest.fetch_max(at, Ordering::AcqRel);
            if count.fetch_add(1, Ordering::AcqRel) + 1 == self.members {
                self.completed.notify_waiters();
            }
        }
    }

    /// Whether every device has the message of `slot`.
    fn complete(&self, slot: usize) -> bool {
        self.counts
            .get(slot)
            .is_some_and(|count| count.load(Ordering::Acquire) >= self.members)
    }

    /// When the last device got the message of `slot`.
    fn last_arrival(&self, slot: usize) -> Instant {
        let at = self
            .latest
            .get(slot)
            .map_or(0, |latest| latest.load(Ordering::Acquire));
        self.origin + Duration::from_nanos(at)
    }

    /// Waits until `done` holds (checked whenever a message completes), at most `limit`.
    async fn wait_for(&self, limit: Duration, done: impl Fn() -> bool) -> anyhow::Result<()> {
        tokio::time::timeout(limit, async {
            loop {
                // Registered before the check, so a completion in between is not missed.
                let completed = self.completed.notified();
                if done() {
                    return;
                }
                completed.await;
            }
        })
        .await
        .context("devices still missing messages")
    }
}
