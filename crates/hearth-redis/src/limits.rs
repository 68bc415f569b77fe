//! Rate-limit counters every node shares: one key per limited client in Redis, updated by a
//! script so that a count is one atomic step whichever node makes it.
//!
//! The algorithm is the generic cell rate (GCRA) that the in-memory limiter (governor) uses,
//! so a quota means the same on one node and on five: `per_minute` attempts at once, then one
//! every minute / `per_minute`. Time is Redis's own clock, so the nodes' clocks do not matter.
//! Each key holds one number (the theoretical arrival time) and expires once its quota has
//! fully recovered. A Redis that does not answer in time is an error the caller falls back
//! from (it counts on its own); it is never a refusal. After a failure the counters are not
//! asked again for a second, so that an outage costs a send nothing (`connection.rs`).

use std::num::NonZeroU32;
use std::time::Duration;

use hearth_app::{RateKey, SharedLimits, SharedLimitsUnavailable};

use crate::connection::Requests;
use crate::settings::{RedisError, RedisSettings};

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
    requests: Requests,
    prefix: String,
    script: redis::Script,
}

impl RedisLimits {
    /// Counters in the Redis of `settings` (connecting happens on the first count).
    pub fn new(settings: &RedisSettings) -> Result<Self, RedisError> {
        Ok(Self {
            requests: Requests::new(settings.client()?),
            prefix: format!("{}limit:", settings.prefix),
            script: redis::Script::new(GCRA),
        })
    }
}

#[async_trait::async_trait]
impl SharedLimits for RedisLimits {
    async fn attempt(
        &self,
        key: &RateKey,
        per_minute: NonZeroU32,
    ) -> Result<Option<Duration>, SharedLimitsUnavailable> {
        let interval = 60_000_000 / u64::from(per_minute.get());
        let tolerance = interval * u64::from(per_minute.get() - 1);
        let key = format!("{}{}", self.prefix, key.name());
        let wait = self
            .requests
            .run(|mut connection| async move {
                self.script
                    .key(key)
                    .arg(interval)
                    .arg(tolerance)
                    .invoke_async::<u64>(&mut connection)
                    .await
            })
            .await
            .map_err(|error| SharedLimitsUnavailable(error.to_string()))?;
        Ok((wait > 0).then(|| Duration::from_micros(wait)))
    }
}
