//! Several nodes of one server in one test process: each node is a real `App` with its own hub,
//! over one shared SQLite store, joined by a bus — an in-memory one that hands every message to
//! every node, or the real [`RedisBus`] over a Redis on loopback.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_app::realtime::{
    BusMessage, BusReceiver, EventBus, PresenceTracker, RealtimePorts, ViewerDirectory,
};
use hearth_app::{App, AppError, Caller, CreateInput, RegisterInput, SendInput};
use hearth_domain::ConversationId;
use hearth_realtime::{Hub, HubSettings, LocalPresence, LocalViewers, Next, Registration};
use hearth_redis::{RedisBus, RedisLimits, RedisPresence, RedisSettings, RedisViewers};
use hearth_server::Config;

/// How long a cross-node effect may take before the test fails (it takes milliseconds).
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A bus shared by every node of the test: each message reaches every node's receiver.
#[derive(Debug, Default)]
struct SharedBus {
    receivers: Mutex<Vec<BusReceiver>>,
}

impl EventBus for SharedBus {
    fn publish(&self, message: BusMessage) {
        let receivers = self.receivers.lock().expect("bus lock").clone();
        for receiver in receivers {
            receiver.receive(message.clone());
        }
    }
}

/// What joins one node to the others.
struct Carrier {
    bus: Arc<dyn EventBus>,
    redis: Option<Arc<RedisBus>>,
    limits: Option<Arc<RedisLimits>>,
    /// Presence and viewers of its own (over Redis); `None`: the nodes share one in memory.
    directories: Option<(Arc<dyn PresenceTracker>, Arc<dyn ViewerDirectory>)>,
}

/// One node: its use cases, its connections and, over Redis, its bus.
pub struct Node {
    pub app: App,
    pub hub: Arc<Hub>,
    pub redis: Option<Arc<RedisBus>>,
}

/// Two nodes, `a` and `b`, of one server.
pub struct Cluster {
    pub a: Node,
    pub b: Node,
    _data: tempfile::TempDir,
}

impl Cluster {
    /// Two nodes joined by an in-memory bus.
    pub async fn start() -> Self {
        let bus = Arc::new(SharedBus::default());
        let carrier = || Carrier {
            bus: bus.clone(),
            redis: None,
            limits: None,
            directories: None,
        };
        let joined = |app: &App| {
            bus.receivers
                .lock()
                .expect("bus lock")
                .push(app.bus_receiver());
        };
        Self::build(Config::default(), joined, carrier).await
    }

    /// Two nodes, each with its own [`RedisBus`] and [`RedisLimits`] over `settings`;
    /// returns once both buses listen.
    pub async fn over_redis(settings: &RedisSettings) -> Self {
        Self::over_redis_with(settings, Config::default()).await
    }

    /// [`Cluster::over_redis`] with the nodes configured by `config` (its data dir is replaced).
    pub async fn over_redis_with(settings: &RedisSettings, config: Config) -> Self {
        let carrier = || {
            let bus = Arc::new(RedisBus::start(settings).expect("redis settings"));
            let limits = Arc::new(RedisLimits::new(settings).expect("redis settings"));
            let presence =
                Arc::new(RedisPresence::start(settings, bus.node()).expect("redis settings"));
            let viewers =
                Arc::new(RedisViewers::start(settings, bus.node()).expect("redis settings"));
            Carrier {
                bus: bus.clone(),
                redis: Some(bus),
                limits: Some(limits),
                directories: Some((presence, viewers)),
            }
        };
        let cluster = Self::build(config, |_| {}, carrier).await;
        for node in [&cluster.a, &cluster.b] {
            let health = node.redis.as_ref().expect("a redis bus").health();
            tokio::time::timeout(PATIENCE, health.until_connected())
                .await
                .expect("the bus connects to Redis");
        }
        cluster
    }

    async fn build(
        config: Config,
        mut joined: impl FnMut(&App),
        mut carrier: impl FnMut() -> Carrier,
    ) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let config = Config {
            data_dir: data.path().to_owned(),
            ..config
        };
        let store = hearth_server::open_store(&config).await.expect("store");
        let secret = hearth_server::signing_secret(&config, &store)
            .await
            .expect("secret");
        // Presence and viewers are shared by the nodes, as a shared directory would be.
        let presence = Arc::new(LocalPresence::default());
        let viewers = Arc::new(LocalViewers::default());
        let mut node = || {
            let hub = Arc::new(Hub::new(HubSettings::default()));
            let Carrier {
                bus,
                redis,
                limits,
                directories,
            } = carrier();
            let (presence, viewers) = directories.unwrap_or_else(|| {
                (
                    presence.clone() as Arc<dyn PresenceTracker>,
                    viewers.clone() as Arc<dyn ViewerDirectory>,
                )
            });
            let ports = RealtimePorts {
                bus,
                connections: hub.clone(),
                presence,
                viewers,
                shared_limits: limits.map(|l| l as Arc<dyn hearth_app::SharedLimits>),
            };
            let app = hearth_server::build_app(&config, store.clone(), secret.clone(), ports)
                .expect("the app builds");
            if let Some(redis) = &redis {
                redis.attach(app.bus_receiver());
            }
            joined(&app);
            Node { app, hub, redis }
        };
        let (a, b) = (node(), node());
        Self { a, b, _data: data }
    }

    /// Registers `name` (on node A; both nodes share the store) and signs them in.
    pub async fn user(&self, name: &str) -> Caller {
        let input = RegisterInput {
            username: name.to_owned(),
            display_name: None,
            password: "correct horse battery".to_owned(),
            email: None,
        };
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (_, session) = self
            .a
            .app
            .auth
            .register(input, &hearth_app::ClientInfo::from_ip(ip))
            .await
            .expect("register");
        self.a
            .app
            .auth
            .authenticate(&session.access_token)
            .expect("token")
    }

    /// A group of `owner` and `members`, made on node A.
    pub async fn group(&self, owner: Caller, members: &[Caller]) -> ConversationId {
        let input = CreateInput {
            kind: "group".to_owned(),
            title: Some("team".to_owned()),
            description: None,
            member_ids: members.iter().map(|m| m.user_id.to_string()).collect(),
            require_approval: None,
            history_visibility: None,
        };
        let summary = self
            .a
            .app
            .conversations
            .create(owner, input)
            .await
            .expect("group");
        summary.conversation.id
    }
}

/// Sends a message with key `key` as `caller` on `node`.
pub async fn send(
    node: &Node,
    caller: Caller,
    conversation: ConversationId,
    key: &str,
) -> Result<(), AppError> {
    let input = SendInput {
        client_message_id: key.to_owned(),
        content: format!("message {key}"),
        attachments: Vec::new(),
    };
    node.app
        .messages
        .send(caller, conversation, input)
        .await
        .map(drop)
}

/// Asserts that `who` may no longer send to `conversation` on `node`.
pub async fn assert_send_refused(
    node: &Node,
    who: Caller,
    conversation: ConversationId,
    why: &str,
) {
    let refused = send(node, who, conversation, "refused?").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{why}: {refused:?}"
    );
}

/// The user lookup that names `user` by id.
pub fn lookup(user: Caller) -> hearth_app::UserLookup {
    hearth_app::UserLookup::one_of("other_user_id", Some(user.user_id.to_string()), None, None)
        .expect("one key")
}

/// The next frame a connection is given (a guard against a lost event hanging the suite).
pub async fn next_frame(registration: &Registration) -> Next {
    tokio::time::timeout(PATIENCE, registration.events.recv())
        .await
        .expect("a frame within the patience")
}
