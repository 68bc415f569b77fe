//! Rate-limit counters every node shares: one key per limited client in Redis, updated by a
//! script so that a count is one atomic step whichever node makes it.
//!
//! The algorithm is the generic cell rate (GCRA) that the in-memory limiter (governor) uses,
//! so a quota means the same on one node and on five: `per_minute` attempts at once, then one
//! every minute / `per_minute`. Time is Redis's own clock, so the nodes' clocks do not matter.
//! Each key holds one number (the theoretical arrival time) and expires once its quota has
//! fully recovered. A Redis that does not answer within [`TIMEOUT`] is an error the caller
//! falls back from (it counts on its own); it is never a refusal. After a failure the counters
//! are not asked again for [`REST`], so that an outage costs a send nothing.

use std::num::NonZeroU32;
use std::sync::Mutex as Latch;
use std::time::{Duration, Instant};

use hearth_app::{RateKey, SharedLimits, SharedLimitsUnavailable};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use crate::settings::{RedisError, RedisSettings};

/// How long one count may take before the node counts on its own.
const TIMEOUT: Duration = Duration::from_millis(500);
/// How long the node counts on its own after the counters failed to answer.
const REST: Duration = Duration::from_secs(1);

/// KEYS[1]: the counter. ARGV[1]: the emission interval T in microseconds (a minute / quota).
/// ARGV[2]: the burst tolerance (quota − 1) × T. Returns 0 when the attempt is allowed, else
/// the microseconds to wait.
const GCRA: &str = r"
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if now < tat - tolerance then
  return tat - tolerance - now
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil((next_tat - now) / 1000) + 1000)
return 0
";

/// The shared counters of one Redis.
#[derive(Debug)]
pub struct RedisLimits {
    client: redis::Client,
    prefix: String,
    script: redis::Script,
    connection: Mutex<Option<ConnectionManager>>,
    resting_until: Latch<Option<Instant>>,
}

impl RedisLimits {
    /// Counters in the Redis of `settings` (connecting happens on the first count).
    pub fn new(settings: &RedisSettings) -> Result<Self, RedisError> {
        Ok(Self {
            client: settings.client()?,
            prefix: format!("{}limit:", settings.prefix),
            script: redis::Script::new(GCRA),
            connection: Mutex::new(None),
            resting_until: Latch::new(None),
        })
    }

    /// Whether a recent failure says not to ask Redis yet.
    fn resting(&self) -> bool {
        let until = *self.resting_until.lock().unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    /// Remembers a failure: the node counts on its own for a while.
    fn rest(&self, why: String) -> SharedLimitsUnavailable {
        *self.resting_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + REST);
        SharedLimitsUnavailable(why)
    }

    /// An open connection, made on first use (and again after a failed attempt to make it).
    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut held = self.connection.lock().await;
        if let Some(connection) = held.as_ref() {
            return Ok(connection.clone());
        }
        // No retries of its own: a failure is answered at once, and `REST` paces the next try.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        let made = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        *held = Some(made.clone());
        Ok(made)
    }
}

#[async_trait::async_trait]
impl SharedLimits for RedisLimits {
    async fn attempt(
        &self,
        key: &RateKey,
        per_minute: NonZeroU32,
    ) -> Result<Option<Duration>, SharedLimitsUnavailable> {
        if self.resting() {
            return Err(SharedLimitsUnavailable("resting after a failure".to_owned()));
        }
        let interval = 60_000_000 / u64::from(per_minute.get());
        let tolerance = interval * u64::from(per_minute.get() - 1);
        let counted = async {
            let mut connection = self.connection().await?;
            self.script
                .key(format!("{}{}", self.prefix, key.name()))
                .arg(interval)
                .arg(tolerance)
                .invoke_async::<u64>(&mut connection)
                .await
        };
        match tokio::time::timeout(TIMEOUT, counted).await {
            Ok(Ok(0)) => Ok(None),
            Ok(Ok(wait)) => Ok(Some(Duration::from_micros(wait))),
            Ok(Err(error)) => Err(self.rest(error.to_string())),
            Err(_) => Err(self.rest("no answer in time".to_owned())),
        }
    }
}
