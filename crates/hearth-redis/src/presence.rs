//! Who is online across every node: each user's connection count per node, in Redis.
//!
//! A user's key (`<prefix>presence:<user>`) is a hash of node id → that node's connections of
//! the user; a node is alive while its key (`<prefix>node:<id>`) exists, which its heartbeat
//! renews at every heartbeat (`heartbeat.rs`). Counts of a node whose key expired (it died)
//! are ignored and removed. Every heartbeat also writes this node's counts again, so Redis
//! losing its data (a restart) or a node's outage heals within a heartbeat; a user key
//! expires a minute after the last node that counts it stops writing.
//!
//! The node keeps its own counts in memory as the truth about its connections: when Redis
//! cannot answer, "first connection" and "last connection" are decided by this node alone, as
//! a single node would (DESIGN: losing Redis degrades to per-node behaviour, never an error).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use hearth_app::realtime::PresenceTracker;
use hearth_domain::UserId;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::connection::{Requests, Unanswered};
use crate::heartbeat::{self, Beat, KEY_TTL};
use crate::settings::{RedisError, RedisSettings};

/// Adds ARGV[3] to this node's (ARGV[1]) count in KEYS[1] and answers the user's connections
/// on every live node (node keys are ARGV[2] .. id), removing the counts of dead nodes.
const CHANGE: &str = r"
local mine = redis.call('HINCRBY', KEYS[1], ARGV[1], tonumber(ARGV[3]))
if mine <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local node, count = fields[i], tonumber(fields[i + 1])
  if node == ARGV[1] or redis.call('EXISTS', ARGV[2] .. node) == 1 then
    total = total + count
  else
    redis.call('HDEL', KEYS[1], node)
  end
end
return total
";

/// For each key of KEYS, 1 when any live node (keys ARGV[1] .. id) counts a connection.
const ONLINE: &str = r"
local online = {}
for k = 1, #KEYS do
  online[k] = 0
  local fields = redis.call('HGETALL', KEYS[k])
  for i = 1, #fields, 2 do
    if tonumber(fields[i + 1]) > 0 and redis.call('EXISTS', ARGV[1] .. fields[i]) == 1 then
      online[k] = 1
      break
    end
  end
end
return online
";

/// Presence shared by every node through one Redis. Dropping it stops its heartbeat.
#[derive(Debug)]
pub struct RedisPresence {
    shared: Arc<Shared>,
    stop: CancellationToken,
}

#[derive(Debug)]
struct Shared {
    node: String,
    node_keys: String,
    user_keys: String,
    requests: Requests,
    here: Mutex<HashMap<UserId, usize>>,
    change: redis::Script,
    online: redis::Script,
}

impl RedisPresence {
    /// Presence in the Redis of `settings` for the node `node` (the bus's id), with its
    /// heartbeat started on the current Tokio runtime.
    pub fn start(settings: &RedisSettings, node: Uuid) -> Result<Self, RedisError> {
        let shared = Arc::new(Shared {
            node: node.to_string(),
            node_keys: format!("{}node:", settings.prefix),
            user_keys: format!("{}presence:", settings.prefix),
            requests: Requests::new(settings.client()?),
            here: Mutex::new(HashMap::new()),
            change: redis::Script::new(CHANGE),
            online: redis::Script::new(ONLINE),
        });
        let stop = heartbeat::start(shared.clone());
        Ok(Self { shared, stop })
    }
}

impl Drop for RedisPresence {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Shared {
    fn here(&self) -> MutexGuard<'_, HashMap<UserId, usize>> {
        self.here.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn user_key(&self, user: UserId) -> String {
        format!("{}{user}", self.user_keys)
    }

    /// Adds `delta` to this node's count of `user` in Redis; the user's connections on every
    /// live node after it, or `None` when Redis did not answer.
    async fn change(&self, user: UserId, delta: i64) -> Option<i64> {
        let key = self.user_key(user);
        let ttl = KEY_TTL.as_millis() as u64;
        let answered = self
            .requests
            .run(|mut connection| async move {
                self.change
                    .key(key)
                    .arg(&self.node)
                    .arg(&self.node_keys)
                    .arg(delta)
                    .arg(ttl)
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await;
        match answered {
            Ok(total) => Some(total),
            Err(error) => {
                tracing::debug!(%error, "presence counted on this node alone");
                None
            }
        }
    }
}

impl Beat for Shared {
    const WHAT: &'static str = "presence";

    async fn beat(&self) -> Result<(), Unanswered> {
        let counts: Vec<(UserId, usize)> = self.here().iter().map(|(u, c)| (*u, *c)).collect();
        let node_key = format!("{}{}", self.node_keys, self.node);
        let user_ttl = KEY_TTL.as_millis() as u64;
        self.requests
            .run(|mut connection| async move {
                let mut pipe = redis::pipe();
                heartbeat::renew_node(&mut pipe, &node_key);
                for (user, count) in counts {
                    let key = self.user_key(user);
                    pipe.hset(&key, &self.node, count).ignore();
                    pipe.pexpire(&key, user_ttl as i64).ignore();
                }
                pipe.query_async::<()>(&mut connection).await
            })
            .await
    }
}

#[async_trait::async_trait]
impl PresenceTracker for RedisPresence {
    async fn connected(&self, user: UserId) -> bool {
        let first_here = {
            let mut here = self.shared.here();
            let count = here.entry(user).or_insert(0);
            *count += 1;
            *count == 1
        };
        match self.shared.change(user, 1).await {
            Some(total) => total == 1,
            None => first_here,
        }
    }

    async fn disconnected(&self, user: UserId) -> bool {
        let last_here = {
            let mut here = self.shared.here();
            match here.get_mut(&user) {
                Some(count) if *count > 1 => {
                    *count -= 1;
                    false
                }
                Some(_) => {
                    here.remove(&user);
                    true
                }
                // Not a connection of this node: nothing to count.
                None => return false,
            }
        };
        match self.shared.change(user, -1).await {
            Some(total) => total <= 0,
            None => last_here,
        }
    }

    async fn online_among(&self, users: &[UserId]) -> HashSet<UserId> {
        if users.is_empty() {
            return HashSet::new();
        }
        let keys: Vec<String> = users.iter().map(|u| self.shared.user_key(*u)).collect();
        let shared = &self.shared;
        let answered = shared
            .requests
            .run(|mut connection| async move {
                let mut invocation = shared.online.prepare_invoke();
                for key in keys {
                    invocation.key(key);
                }
                invocation
                    .arg(&shared.node_keys)
                    .invoke_async::<Vec<i64>>(&mut connection)
                    .await
            })
            .await;
        match answered {
            Ok(flags) => users
                .iter()
                .zip(flags)
                .filter(|(_, online)| *online == 1)
                .map(|(user, _)| *user)
                .collect(),
            Err(error) => {
                tracing::debug!(%error, "presence read from this node alone");
                let here = shared.here();
                users
                    .iter()
                    .filter(|u| here.contains_key(u))
                    .copied()
                    .collect()
            }
        }
    }
}
