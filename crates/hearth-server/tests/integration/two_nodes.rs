//! Two nodes over one database, joined by a bus that carries every message to both — as Redis
//! pub/sub will. What one node changes, the other must act on at once: its cached rosters and
//! blocks are forgotten, its sockets hear the events, a removed member stops viewing.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_app::realtime::{BusMessage, BusReceiver, EventBus, RealtimePorts};
use hearth_app::{App, AppError, Caller, CreateInput, RegisterInput, SendInput};
use hearth_domain::ConversationId;
use hearth_realtime::{Hub, HubSettings, LocalPresence, LocalViewers, Next, Registration};
use hearth_server::Config;

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

struct Node {
    app: App,
    hub: Arc<Hub>,
}

struct Cluster {
    a: Node,
    b: Node,
    _data: tempfile::TempDir,
}

impl Cluster {
    async fn start() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let config = Config {
            data_dir: data.path().to_owned(),
            ..Config::default()
        };
        let store = hearth_server::open_store(&config).await.expect("store");
        let bus = Arc::new(SharedBus::default());
        // Presence and viewers are shared by the nodes, as a shared store would be.
        let presence = Arc::new(LocalPresence::default());
        let viewers = Arc::new(LocalViewers::default());
        let node = || {
            let hub = Arc::new(Hub::new(HubSettings::default()));
            let ports = RealtimePorts {
                bus: bus.clone(),
                connections: hub.clone(),
                presence: presence.clone(),
                viewers: viewers.clone(),
            };
            let app = hearth_server::build_app(&config, store.clone(), ports).expect("app");
            bus.receivers
                .lock()
                .expect("bus lock")
                .push(app.bus_receiver());
            Node { app, hub }
        };
        let (a, b) = (node(), node());
        Self { a, b, _data: data }
    }

    async fn user(&self, name: &str) -> Caller {
        let input = RegisterInput {
            username: name.to_owned(),
            display_name: None,
            password: "correct horse battery".to_owned(),
            email: None,
        };
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (_, session) = self.a.app.auth.register(input, ip).await.expect("register");
        self.a
            .app
            .auth
            .authenticate(&session.access_token)
            .expect("token")
    }

    async fn group(&self, owner: Caller, members: &[Caller]) -> ConversationId {
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

async fn send(
    node: &Node,
    caller: Caller,
    conversation: ConversationId,
    key: &str,
) -> Result<(), AppError> {
    let input = SendInput {
        client_message_id: key.to_owned(),
        content: format!("message {key}"),
    };
    node.app
        .messages
        .send(caller, conversation, input)
        .await
        .map(drop)
}

fn lookup(user: Caller) -> hearth_app::UserLookup {
    hearth_app::UserLookup::one_of("other_user_id", Some(user.user_id.to_string()), None, None)
        .expect("one key")
}

/// The next frame a connection is given (a guard against a lost event hanging the suite).
async fn next_frame(registration: &Registration) -> Next {
    tokio::time::timeout(Duration::from_secs(10), registration.events.recv())
        .await
        .expect("a frame within the patience")
}

#[tokio::test]
async fn test_a_member_removed_on_one_node_cannot_send_on_the_other() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    // Node B caches the roster with Bob in it.
    send(&cluster.b, bob, group, "before")
        .await
        .expect("a member sends");
    cluster
        .a
        .app
        .conversations
        .remove_member(alice, group, &bob.user_id.to_string())
        .await
        .expect("removed");
    let refused = send(&cluster.b, bob, group, "after").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "node B forgot its roster: {refused:?}"
    );
}

#[tokio::test]
async fn test_a_block_on_one_node_stops_direct_messages_on_the_other() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let dm = cluster
        .a
        .app
        .conversations
        .direct(alice, lookup(bob))
        .await
        .expect("dm")
        .conversation
        .conversation
        .id;
    send(&cluster.b, bob, dm, "before")
        .await
        .expect("bob writes");
    cluster
        .a
        .app
        .privacy
        .block(alice, &bob.user_id.to_string())
        .await
        .expect("blocked");
    let refused = send(&cluster.b, bob, dm, "after").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "node B forgot the pair: {refused:?}"
    );
}

#[tokio::test]
async fn test_a_message_sent_on_one_node_reaches_a_connection_on_the_other() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_b = cluster.b.hub.register(bob.user_id);
    send(&cluster.a, alice, group, "hello").await.expect("sent");
    let frame = next_frame(&bob_on_b).await;
    assert!(
        matches!(frame, Next::Frame(frame) if matches!(frame.delivery.event, hearth_app::realtime::RealtimeEvent::Log(ref e) if e.event.conversation_id == group)),
        "bob's connection on node B hears the message"
    );
}

#[tokio::test]
async fn test_a_removed_member_stops_viewing_on_every_node() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_b = cluster.b.hub.register(bob.user_id);
    let bob_session = cluster
        .b
        .app
        .realtime
        .connect(bob, bob_on_b.id)
        .await
        .expect("connected")
        .session;
    cluster
        .b
        .app
        .realtime
        .subscribe(&bob_session, group)
        .await
        .expect("subscribed");
    cluster
        .a
        .app
        .conversations
        .remove_member(alice, group, &bob.user_id.to_string())
        .await
        .expect("removed");
    let typing = cluster.b.app.realtime.typing(&bob_session, group).await;
    assert!(
        matches!(typing, Err(AppError::Forbidden(_))),
        "bob's connection on node B no longer views the group: {typing:?}"
    );
}

#[tokio::test]
async fn test_a_rename_on_one_node_names_the_next_message_sent_on_the_other() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_a = cluster.a.hub.register(bob.user_id);
    // Node B caches Alice's names with her first message.
    send(&cluster.b, alice, group, "before")
        .await
        .expect("sent");
    let _ = next_frame(&bob_on_a).await;
    cluster
        .a
        .app
        .users
        .update_profile(
            alice,
            hearth_app::ProfileInput {
                display_name: Some("Alice Renamed".to_owned()),
            },
        )
        .await
        .expect("renamed");

    send(&cluster.b, alice, group, "after").await.expect("sent");

    let Next::Frame(frame) = next_frame(&bob_on_a).await else {
        panic!("bob's connection closed");
    };
    let hearth_app::realtime::RealtimeEvent::Log(entry) = &frame.delivery.event else {
        panic!("expected the message, got {:?}", frame.delivery.event);
    };
    let author = entry.author.as_ref().expect("the message names its author");
    assert_eq!(
        author.display_name, "Alice Renamed",
        "node B forgot the old name"
    );
}
