//! Who is viewing each conversation across every node, in Redis (seed 003's "online users" of
//! a room).
//!
//! Per conversation: a hash of `<user>|<node>` → that node's views of the conversation by the
//! user, a hash of user → how events name them, and a sorted set of users by when they started
//! viewing (the order `viewers` lists them in). Node liveness and healing work as for presence
//! (`presence.rs`): the heartbeat renews this node's key and rewrites its views; views counted
//! by a node whose key expired are ignored and removed.
//!
//! The node keeps its own views in memory ([`LocalViewers`] semantics) as the truth about its
//! connections, and answers from them alone while Redis cannot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use hearth_app::realtime::{UserRef, ViewerDirectory};
use hearth_domain::{ConversationId, UserId};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::connection::{Requests, Unanswered};
use crate::heartbeat::{self, Beat, KEY_TTL};
use crate::settings::{RedisError, RedisSettings};

/// Shared by the scripts: the live views of user `user` in the views hash `key` (dropping
/// those of dead nodes). `me` is this node, whose key the heartbeat may not have written yet.
const LIVE_VIEWS: &str = r"
local function live_views(key, user, me, node_keys)
  local total = 0
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    local field, count = fields[i], tonumber(fields[i + 1])
    local sep = string.find(field, '|', 1, true)
    local who, node = string.sub(field, 1, sep - 1), string.sub(field, sep + 1)
    if node ~= me and redis.call('EXISTS', node_keys .. node) == 0 then
      redis.call('HDEL', key, field)
    elseif who == user then
      total = total + count
    end
  end
  return total
end
";

/// KEYS: views, names, order. ARGV: user, node, node keys, user's name (JSON), delta (+1 or
/// −1), time to live (ms). Answers the user's live views after the change, and their name
/// when that was their last view (and forgets it).
const CHANGE: &str = r"
local field = ARGV[1] .. '|' .. ARGV[2]
local mine = redis.call('HINCRBY', KEYS[1], field, tonumber(ARGV[5]))
if mine <= 0 then redis.call('HDEL', KEYS[1], field) end
local total = live_views(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
local name = false
if total > 0 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
  local now = redis.call('TIME')
  redis.call('ZADD', KEYS[3], 'NX', tonumber(now[1]) * 1000000 + tonumber(now[2]), ARGV[1])
else
  name = redis.call('HGET', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ARGV[6]) end
return {total, name}
";

/// KEYS: views, names, order. ARGV: node, node keys. The names of everyone with a live view,
/// in the order they started viewing.
const LIST: &str = r"
local live = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local field = fields[i]
  local sep = string.find(field, '|', 1, true)
  local who, node = string.sub(field, 1, sep - 1), string.sub(field, sep + 1)
  if node == ARGV[1] or redis.call('EXISTS', ARGV[2] .. node) == 1 then live[who] = true end
end
local names = {}
for _, who in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if live[who] then
    local name = redis.call('HGET', KEYS[2], who)
    if name then table.insert(names, name) end
  end
end
return names
";

/// "Who is viewing" shared by every node through one Redis. Dropping it stops its heartbeat.
#[derive(Debug)]
pub struct RedisViewers {
    shared: Arc<Shared>,
    stop: CancellationToken,
}

/// This node's views: per conversation, each viewer with their number of views here, in the
/// order they came.
type Views = HashMap<ConversationId, Vec<(UserRef, usize)>>;

#[derive(Debug)]
struct Shared {
    node: String,
    node_keys: String,
    keys: String,
    requests: Requests,
    here: Mutex<Views>,
    change: redis::Script,
    list: redis::Script,
}

impl RedisViewers {
    /// The directory in the Redis of `settings` for the node `node` (the bus's id), with its
    /// heartbeat started on the current Tokio runtime.
    pub fn start(settings: &RedisSettings, node: Uuid) -> Result<Self, RedisError> {
        let shared = Arc::new(Shared {
            node: node.to_string(),
            node_keys: format!("{}node:", settings.prefix),
            keys: format!("{}viewers:", settings.prefix),
            requests: Requests::new(settings.client()?),
            here: Mutex::new(HashMap::new()),
            change: redis::Script::new(&format!("{LIVE_VIEWS}{CHANGE}")),
            list: redis::Script::new(LIST),
        });
        let stop = heartbeat::start(shared.clone());
        Ok(Self { shared, stop })
    }
}

impl Drop for RedisViewers {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Shared {
    fn here(&self) -> MutexGuard<'_, Views> {
        self.here.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The views, names and order keys of a conversation.
    fn keys_of(&self, conversation: ConversationId) -> [String; 3] {
        let base = format!("{}{conversation}", self.keys);
        [
            format!("{base}:views"),
            format!("{base}:names"),
            format!("{base}:order"),
        ]
    }

    /// Adds `delta` to this node's views of `conversation` by `user` in Redis; the user's live
    /// views after it and, when that was their last, their name as stored.
    async fn change(
        &self,
        conversation: ConversationId,
        user: &UserRef,
        delta: i64,
    ) -> Result<(i64, Option<String>), Unanswered> {
        let keys = self.keys_of(conversation);
        let name = serde_json::to_string(user).unwrap_or_default();
        let ttl = KEY_TTL.as_millis() as u64;
        self.requests
            .run(|mut connection| async move {
                self.change
                    .key(&keys[0])
                    .key(&keys[1])
                    .key(&keys[2])
                    .arg(user.id.to_string())
                    .arg(&self.node)
                    .arg(&self.node_keys)
                    .arg(name)
                    .arg(delta)
                    .arg(ttl)
                    .invoke_async::<(i64, Option<String>)>(&mut connection)
                    .await
            })
            .await
    }
}

impl Beat for Shared {
    const WHAT: &'static str = "viewers";

    async fn beat(&self) -> Result<(), Unanswered> {
        let views: Vec<(ConversationId, UserRef, usize)> = self
            .here()
            .iter()
            .flat_map(|(c, viewers)| viewers.iter().map(|(u, n)| (*c, u.clone(), *n)))
            .collect();
        let node_key = format!("{}{}", self.node_keys, self.node);
        let ttl = KEY_TTL.as_millis() as i64;
        self.requests
            .run(|mut connection| async move {
                let mut pipe = redis::pipe();
                heartbeat::renew_node(&mut pipe, &node_key);
                for (conversation, user, count) in views {
                    let [views_key, names_key, order_key] = self.keys_of(conversation);
                    let id = user.id.to_string();
                    let name = serde_json::to_string(&user).unwrap_or_default();
                    pipe.hset(&views_key, format!("{id}|{}", self.node), count)
                        .ignore()
                        .hset(&names_key, &id, name)
                        .ignore()
                        .cmd("ZADD")
                        .arg(&order_key)
                        .arg("NX")
                        .arg(0)
                        .arg(&id)
                        .ignore();
                    for key in [&views_key, &names_key, &order_key] {
                        pipe.pexpire(key, ttl).ignore();
                    }
                }
                pipe.query_async::<()>(&mut connection).await
            })
            .await
    }
}

#[async_trait::async_trait]
impl ViewerDirectory for RedisViewers {
    async fn start_viewing(&self, conversation: ConversationId, user: &UserRef) -> bool {
        let first_here = {
            let mut here = self.shared.here();
            let viewers = here.entry(conversation).or_default();
            match viewers.iter_mut().find(|(v, _)| v.id == user.id) {
                Some((_, count)) => {
                    *count += 1;
                    false
                }
                None => {
                    viewers.push((user.clone(), 1));
                    true
                }
            }
        };
        match self.shared.change(conversation, user, 1).await {
            Ok((total, _)) => total == 1,
            Err(error) => {
                tracing::debug!(%error, "viewers counted on this node alone");
                first_here
            }
        }
    }

    async fn stop_viewing(&self, conversation: ConversationId, user: UserId) -> Option<UserRef> {
        let (name, last_here) = {
            let mut here = self.shared.here();
            let viewers = here.get_mut(&conversation)?;
            let at = viewers.iter().position(|(v, _)| v.id == user)?;
            let (name, last) = match viewers.get_mut(at) {
                Some((name, count)) if *count > 1 => {
                    *count -= 1;
                    (name.clone(), false)
                }
                _ => (viewers.remove(at).0, true),
            };
            if viewers.is_empty() {
                here.remove(&conversation);
            }
            (name, last)
        };
        match self.shared.change(conversation, &name, -1).await {
            Ok((total, _)) => (total <= 0).then_some(name),
            Err(error) => {
                tracing::debug!(%error, "viewers counted on this node alone");
                last_here.then_some(name)
            }
        }
    }

    async fn viewers(&self, conversation: ConversationId) -> Vec<UserRef> {
        let [views_key, names_key, order_key] = self.shared.keys_of(conversation);
        let shared = &self.shared;
        let answered = shared
            .requests
            .run(|mut connection| async move {
                shared
                    .list
                    .key(views_key)
                    .key(names_key)
                    .key(order_key)
                    .arg(&shared.node)
                    .arg(&shared.node_keys)
                    .invoke_async::<Vec<String>>(&mut connection)
                    .await
            })
            .await;
        match answered {
            Ok(names) => names
                .iter()
                .filter_map(|name| serde_json::from_str(name).ok())
                .collect(),
            Err(error) => {
                tracing::debug!(%error, "viewers read from this node alone");
                shared
                    .here()
                    .get(&conversation)
                    .map(|viewers| viewers.iter().map(|(v, _)| v.clone()).collect())
                    .unwrap_or_default()
            }
        }
    }
}
