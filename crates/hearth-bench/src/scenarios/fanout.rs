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
use memchr::memchr;
use memchr::memmem::Finder;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::population::{self, Member};
use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

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

pub(crate) async fn run(
    server: &ServerOptions,
    sizes: &Sizes,
    recipients: Recipients,
) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = Client::new(&process.base)?;
    let count = sizes.fanout_members.max(1);
    let (sender, conversation, sockets) = match recipients {
        Recipients::Devices => devices(&anonymous, count).await?,
        Recipients::Members => room(&anonymous, count).await?,
    };
    let rows = measure(recipients, &sender, conversation, sockets, sizes).await?;
    process.stop()?;
    Ok(rows)
}

/// A sender and `count` devices of one recipient, each subscribed to their direct conversation.
async fn devices(anonymous: &Client, count: usize) -> anyhow::Result<(Member, Uuid, Vec<Socket>)> {
    let users = population::users(anonymous, "fan", 2).await?;
    let (sender, recipient) = (
        users.first().context("sender")?,
        users.get(1).context("recipient")?,
    );
    let conversation = population::direct(sender, recipient).await?;
    let sockets = stream::iter(0..count)
        .map(|_| async {
            let mut socket = recipient.client.connect().await?;
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
async fn room(anonymous: &Client, count: usize) -> anyhow::Result<(Member, Uuid, Vec<Socket>)> {
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
    let sockets = stream::iter(members)
        .map(|member| member.client.connect())
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
) -> anyhow::Result<Vec<Row>> {
    let count = sockets.len();
    let sends = sizes.fanout_sends;
    let burst = sizes.fanout_burst.max(1);
    let arrivals = Arc::new(Arrivals::new(sends + burst, count));
    for socket in sockets {
        let stream = socket
            .into_tcp()
            .context("the fan-out scenario reads plain TCP")?;
        tokio::spawn(scan(stream, arrivals.clone(), sends));
    }
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
    let setup = format!(
        "{count} {noun}s online, {} timed sends, burst of {burst}",
        samples.len()
    );
    let p50 = Row::new(
        scenario,
        format!("send to last {noun} p50"),
        ms(samples.percentile(50.0)),
        "ms",
        &setup,
    );
    let p99 = Row::new(
        scenario,
        format!("send to last {noun} p99"),
        ms(samples.percentile(99.0)),
        "ms",
        &setup,
    );
    let sustained = Row::new(
        scenario,
        "sustained deliveries/s",
        deliveries_per_second.round(),
        "deliveries/s",
        &setup,
    );
    // The budget is stated for 10,000 recipients.
    Ok(if count >= 10_000 {
        vec![p50, p99.at_most(100.0), sustained.at_least(250_000.0)]
    } else {
        vec![p50, p99, sustained]
    })
}

/// Where the readers record arrivals: for each tracked message (a slot), how many devices have
/// it and when the last one got it. Atomics, so that 10,000 readers never wake the
/// coordinator per arrival (a channel did: its wake-ups were a fifth of the load generator's
/// CPU, taken from the server it measures); the coordinator is woken when a message has
/// reached every device.
struct Arrivals {
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
    fn record(&self, slot: usize) {
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

/// The slot of a tracked message: `one-{i}` is timed send `i`, `burst-{i}` comes after the
/// `sends` timed ones.
fn slot_of(key: &str, sends: usize) -> Option<usize> {
    if let Some(i) = key.strip_prefix("one-") {
        return i.parse().ok();
    }
    let i: usize = key.strip_prefix("burst-")?.parse().ok()?;
    Some(sends + i)
}

/// What precedes a message's key in its JSON.
const KEY_FIELD: &[u8] = br#""client_message_id":""#;

/// Bytes read per `try_read`: a few events' worth.
const SCAN_BUFFER: usize = 16 * 1024;

/// Reads one device's socket until it closes, recording the tracked messages that arrive.
///
/// Raw bytes, not WebSocket frames: the server's frames are unmasked, so each event's JSON is
/// in the stream as sent and a key never spans two frames. A tungstenite reader per socket
/// (zero-filling its buffer, decoding, copying each event into a `String`) cost ~7 µs per
/// delivery — a third of the two cores, taken from the server it measures. Only
/// `new_message` events carry a `client_message_id` on a recipient's socket.
async fn scan(stream: TcpStream, arrivals: Arc<Arrivals>, sends: usize) {
    let mut buffer = vec![0_u8; SCAN_BUFFER];
    let mut kept = 0;
    let finder = Finder::new(KEY_FIELD);
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        let Some(free) = buffer.get_mut(kept..) else {
            return;
        };
        let read = match stream.try_read(free) {
            Ok(0) => return,
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        let filled = kept + read;
        let Some(bytes) = buffer.get(..filled) else {
            return;
        };
        let done = scan_keys(bytes, &finder, |key| {
            if let Some(slot) = std::str::from_utf8(key)
                .ok()
                .and_then(|key| slot_of(key, sends))
            {
                arrivals.record(slot);
            }
        });
        // A key cut by the end of this read is completed by the next.
        buffer.copy_within(done..filled, 0);
        kept = filled - done;
    }
}

/// Calls `found` with every complete key in `bytes`; returns how many leading bytes are done
/// with (the rest may hold the start of a key and must be scanned again with what follows).
fn scan_keys(bytes: &[u8], finder: &Finder<'_>, mut found: impl FnMut(&[u8])) -> usize {
    let mut at = 0;
    while let Some(field) = bytes.get(at..).and_then(|rest| finder.find(rest)) {
        let start = at + field + KEY_FIELD.len();
        let Some(end) = bytes.get(start..).and_then(|rest| memchr(b'"', rest)) else {
            return at + field;
        };
        if let Some(key) = bytes.get(start..start + end) {
            found(key);
        }
        at = start + end;
    }
    // The tail could be the start of the next field.
    bytes.len().saturating_sub(KEY_FIELD.len() - 1).max(at)
}

#[cfg(test)]
mod tests {
    use memchr::memmem::Finder;

    use super::{KEY_FIELD, scan_keys, slot_of};

    #[test]
    fn timed_sends_come_first_then_the_burst() {
        assert_eq!(slot_of("one-0", 50), Some(0));
        assert_eq!(slot_of("one-49", 50), Some(49));
        assert_eq!(slot_of("burst-0", 50), Some(50));
        assert_eq!(slot_of("burst-x", 50), None);
        assert_eq!(slot_of("other-1", 50), None);
    }

    #[test]
    fn finds_every_key_in_a_run_of_events() {
        let events = br#"{"seq":2,"type":"new_message","message":{"client_message_id":"one-7","content":"x"}}{"type":"presence"}{"message":{"client_message_id":"burst-0"}}"#;
        let mut keys = Vec::new();
        let done = scan_keys(events, &Finder::new(KEY_FIELD), |key| {
            keys.push(String::from_utf8_lossy(key).into_owned());
        });
        assert_eq!(keys, ["one-7", "burst-0"]);
        assert!(done > events.len() - KEY_FIELD.len());
    }

    #[test]
    fn a_key_cut_by_a_read_is_found_once_with_the_next() {
        let events = br#"{"message":{"client_message_id":"one-12","content":"x"}}{"message":{"client_message_id":"one-13"}}"#;
        let finder = Finder::new(KEY_FIELD);
        // Every cut point: what is not done is scanned again with the rest.
        for cut in 1..events.len() {
            let mut keys = Vec::new();
            let (first, rest) = events.split_at(cut);
            let done = scan_keys(first, &finder, |key| keys.push(key.to_vec()));
            let mut again = first[done..].to_vec();
            again.extend_from_slice(rest);
            scan_keys(&again, &finder, |key| keys.push(key.to_vec()));
            assert_eq!(
                keys,
                [b"one-12".to_vec(), b"one-13".to_vec()],
                "cut at {cut}"
            );
        }
    }
}
