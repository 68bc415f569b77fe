//! The event bus over Redis pub/sub.
//!
//! `publish` hands the message to this node's receiver at once (this node's sockets never wait
//! for Redis) and queues it for the publisher task, which sends queued messages to the channel
//! in pipelined batches. The listener task subscribes to the channel and hands every other
//! node's message to this node's receiver. Both reconnect by themselves with backoff; while
//! either is cut off, [`BusHealth`] says so and messages for the other nodes are dropped and
//! counted (their clients catch up by sync). When the listener subscribes again, the node
//! forgets every cached answer a lost signal could have made stale.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::StreamExt;
use hearth_app::realtime::{BusMessage, BusReceiver, BusStatus, EventBus};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::health::BusHealth;
use crate::settings::{RedisError, RedisSettings};
use crate::wire;

/// Messages waiting for the publisher; past this, a burst while Redis is slow is dropped
/// (and counted) rather than held in memory.
const QUEUE: usize = 65_536;
/// Messages sent to Redis in one pipelined round trip at most.
const BATCH: usize = 256;
/// How long connecting to Redis or one round trip may take before it counts as lost.
const TIMEOUT: Duration = Duration::from_secs(2);
/// The first and the longest wait between two attempts to reach Redis.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(2));

/// A node's end of the shared bus. Dropping it stops its tasks.
#[derive(Debug)]
pub struct RedisBus {
    node: Uuid,
    receiver: Arc<OnceLock<BusReceiver>>,
    outbound: mpsc::Sender<BusMessage>,
    health: Arc<BusHealth>,
    stop: CancellationToken,
}

impl RedisBus {
    /// Starts the bus's publisher and listener on the current Tokio runtime. It returns at
    /// once: a node whose Redis is down starts anyway, degraded, and connects when it can.
    pub fn start(settings: &RedisSettings) -> Result<Self, RedisError> {
        let client = settings.client()?;
        let channel = settings.bus_channel();
        let node = Uuid::now_v7();
        let receiver = Arc::new(OnceLock::new());
        let health = Arc::new(BusHealth::default());
        let stop = CancellationToken::new();
        let (outbound, queued) = mpsc::channel(QUEUE);
        tokio::spawn(publish(
            Link::new(client.clone(), channel.clone(), &health, &stop),
            node,
            queued,
        ));
        tokio::spawn(listen(
            Link::new(client, channel, &health, &stop),
            node,
            receiver.clone(),
        ));
        tracing::info!(%node, prefix = %settings.prefix, "the Redis bus is starting");
        Ok(Self {
            node,
            receiver,
            outbound,
            health,
            stop,
        })
    }

    /// Connects the bus to this node's receiver (once; a second call is ignored). Messages
    /// that arrive before it are dropped: nothing can be listening yet.
    pub fn attach(&self, receiver: BusReceiver) {
        if self.receiver.set(receiver).is_err() {
            tracing::warn!("the Redis bus is already attached; ignoring a second receiver");
        }
    }

    /// Whether the bus reaches the other nodes now.
    pub fn health(&self) -> Arc<BusHealth> {
        self.health.clone()
    }

    /// This node's id on the bus.
    pub fn node(&self) -> Uuid {
        self.node
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl EventBus for RedisBus {
    fn publish(&self, message: BusMessage) {
        if let Some(receiver) = self.receiver.get() {
            receiver.receive(message.clone());
        }
        if self.outbound.try_send(message).is_err() {
            self.health.count_dropped(1);
        }
    }

    fn status(&self) -> BusStatus {
        if self.health.connected() {
            BusStatus::Connected
        } else {
            BusStatus::Degraded
        }
    }
}

/// What both tasks need to reach Redis.
struct Link {
    client: redis::Client,
    channel: String,
    health: Arc<BusHealth>,
    stop: CancellationToken,
}

impl Link {
    fn new(
        client: redis::Client,
        channel: String,
        health: &Arc<BusHealth>,
        stop: &CancellationToken,
    ) -> Self {
        Self {
            client,
            channel,
            health: health.clone(),
            stop: stop.clone(),
        }
    }

    /// Waits `delay` unless the bus stops first (`false`).
    async fn pause(&self, delay: Duration) -> bool {
        tokio::select! {
            () = self.stop.cancelled() => false,
            () = tokio::time::sleep(delay) => true,
        }
    }
}

/// Doubles a backoff up to its longest.
fn longer(delay: Duration) -> Duration {
    (delay * 2).min(BACKOFF.1)
}

/// The publisher task: queued messages to the channel, in order, in pipelined batches. While
/// Redis cannot be reached it pings with backoff, dropping (and counting) what is queued, so
/// that its health comes back as soon as Redis does, traffic or not.
async fn publish(link: Link, node: Uuid, mut queued: mpsc::Receiver<BusMessage>) {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT));
    let mut connection: Option<ConnectionManager> = None;
    let mut batch = Vec::with_capacity(BATCH);
    let mut delay = BACKOFF.0;
    loop {
        if !link.health.publishing() {
            match reach(&link.client, &config, &mut connection).await {
                Ok(()) => {
                    link.health.set_publishing(true);
                    delay = BACKOFF.0;
                }
                Err(error) => {
                    link.health.set_publishing(false);
                    let mut lost = 0;
                    while queued.try_recv().is_ok() {
                        lost += 1;
                    }
                    link.health.count_dropped(lost);
                    tracing::warn!(%error, lost, "cannot reach Redis to publish; other nodes catch up by sync");
                    if !link.pause(delay).await {
                        return;
                    }
                    delay = longer(delay);
                    continue;
                }
            }
        }
        let received = tokio::select! {
            () = link.stop.cancelled() => return,
            received = queued.recv_many(&mut batch, BATCH) => received,
        };
        if received == 0 {
            return;
        }
        let mut pipe = redis::pipe();
        for message in batch.drain(..) {
            match wire::encode(node, message) {
                Ok(bytes) => {
                    pipe.publish(&link.channel, bytes).ignore();
                }
                Err(error) => tracing::error!(%error, "a bus message cannot be encoded"),
            }
        }
        let Some(live) = connection.as_mut() else {
            link.health.set_publishing(false);
            continue;
        };
        if let Err(error) = pipe.query_async::<()>(live).await {
            link.health.set_publishing(false);
            link.health.count_dropped(received as u64);
            tracing::warn!(%error, "publishing to Redis failed; other nodes catch up by sync");
        }
    }
}

/// Makes sure `connection` is open and answers a PING.
async fn reach(
    client: &redis::Client,
    config: &ConnectionManagerConfig,
    connection: &mut Option<ConnectionManager>,
) -> Result<(), redis::RedisError> {
    if connection.is_none() {
        *connection =
            Some(ConnectionManager::new_with_config(client.clone(), config.clone()).await?);
    }
    if let Some(live) = connection.as_mut() {
        redis::cmd("PING").query_async::<()>(live).await?;
    }
    Ok(())
}

/// The listener task: every other node's messages to this node's receiver.
async fn listen(link: Link, node: Uuid, receiver: Arc<OnceLock<BusReceiver>>) {
    let mut delay = BACKOFF.0;
    loop {
        let subscribed = tokio::time::timeout(TIMEOUT, async {
            let mut pubsub = link.client.get_async_pubsub().await?;
            pubsub.subscribe(&link.channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        match subscribed {
            Ok(Ok(pubsub)) => {
                // Whatever was published while this node did not listen is lost to it; from
                // the subscription on, nothing is. Forgotten before the node says it listens.
                if let Some(receiver) = receiver.get() {
                    receiver.forget_everything();
                }
                link.health.set_listening(true);
                delay = BACKOFF.0;
                tracing::info!(channel = %link.channel, "listening to the Redis bus");
                let mut messages = pubsub.into_on_message();
                loop {
                    let message = tokio::select! {
                        () = link.stop.cancelled() => return,
                        message = messages.next() => message,
                    };
                    let Some(message) = message else { break };
                    hand_over(node, message.get_payload_bytes(), &receiver);
                }
                link.health.set_listening(false);
                tracing::warn!("lost the Redis bus; reconnecting (clients catch up by sync)");
            }
            Ok(Err(error)) => {
                link.health.set_listening(false);
                tracing::warn!(%error, "cannot subscribe to the Redis bus; retrying");
            }
            Err(_) => {
                link.health.set_listening(false);
                tracing::warn!("subscribing to the Redis bus timed out; retrying");
            }
        }
        if !link.pause(delay).await {
            return;
        }
        delay = longer(delay);
    }
}

/// Decodes one message from the channel and applies it here, unless this node sent it.
fn hand_over(node: Uuid, bytes: &[u8], receiver: &OnceLock<BusReceiver>) {
    match wire::decode(bytes) {
        Ok(envelope) if envelope.origin == node => {}
        Ok(envelope) => {
            if let Some(receiver) = receiver.get() {
                receiver.receive(envelope.message);
            }
        }
        Err(error) => tracing::warn!(%error, "ignoring a bus message that cannot be read"),
    }
}
