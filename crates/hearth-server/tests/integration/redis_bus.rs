//! Two nodes joined by the real Redis bus: events and signals cross between them, a node's own
//! connections hear its events once, a user's send limit is one count across nodes, and an
//! outage of Redis loses no message — sends commit, realtime comes back by itself, a node
//! forgets what it may have missed, and limits are counted per node meanwhile.

use std::time::Duration;

use hearth_app::AppError;
use hearth_app::realtime::RealtimeEvent;
use hearth_domain::{ConversationId, EventKind};
use hearth_realtime::{Next, Registration};
use hearth_redis::RedisSettings;
use hearth_server::Config;

use crate::cluster_support::{Cluster, Node, PATIENCE, assert_send_refused, next_frame, send};
use crate::redis_support::{OwnRedis, shared_redis};
use crate::support::TestApp;
use reqwest::Method;

/// The next log entry of `conversation` on `registration` that `wanted` accepts; entries
/// before it (a creation still in flight from the other node) are passed over.
async fn until_log(
    registration: &Registration,
    conversation: ConversationId,
    wanted: impl Fn(&EventKind) -> bool,
) -> EventKind {
    loop {
        match next_frame(registration).await {
            Next::Frame(frame) => {
                if let RealtimeEvent::Log(entry) = &frame.delivery.event
                    && entry.event.conversation_id == conversation
                    && wanted(&entry.event.kind)
                {
                    return entry.event.kind.clone();
                }
            }
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

/// The texts of the new messages of `conversation` that reach `registration`, up to and
/// including `last`.
async fn messages_until(
    registration: &Registration,
    conversation: ConversationId,
    last: &str,
) -> Vec<String> {
    let mut texts = Vec::new();
    while texts.last().map(String::as_str) != Some(last) {
        if let EventKind::NewMessage(message) = until_log(registration, conversation, |kind| {
            matches!(kind, EventKind::NewMessage(_))
        })
        .await
        {
            texts.push(
                message
                    .content
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            );
        }
    }
    texts
}

async fn until_connected(node: &Node) {
    let health = node.redis.as_ref().expect("a redis bus").health();
    tokio::time::timeout(PATIENCE, health.until_connected())
        .await
        .expect("the bus reconnects");
}

async fn until_cut_off(node: &Node) {
    let health = node.redis.as_ref().expect("a redis bus").health();
    tokio::time::timeout(PATIENCE, health.until_listening(false))
        .await
        .expect("the bus sees Redis go");
}

#[tokio::test]
async fn test_over_redis_a_message_sent_on_one_node_reaches_a_connection_on_the_other() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_b = cluster
        .b
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());

    send(&cluster.a, alice, group, "hello").await.expect("sent");

    assert_eq!(
        messages_until(&bob_on_b, group, "message hello").await,
        ["message hello"]
    );
}

#[tokio::test]
async fn test_over_redis_a_nodes_own_connections_hear_its_events_once() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_a = cluster
        .a
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());
    let bob_on_b = cluster
        .b
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());

    send(&cluster.a, alice, group, "one").await.expect("sent");
    send(&cluster.a, alice, group, "two").await.expect("sent");

    // Node A's own copies go straight to its connections; Redis's echo of them is ignored.
    // Node B sends "three" only after it heard "one" and "two" through Redis, so an echo of
    // either would reach node A before "three" does.
    assert_eq!(
        messages_until(&bob_on_b, group, "message two").await,
        ["message one", "message two"]
    );
    send(&cluster.b, alice, group, "three").await.expect("sent");
    assert_eq!(
        messages_until(&bob_on_a, group, "message three").await,
        ["message one", "message two", "message three"]
    );
}

#[tokio::test]
async fn test_over_redis_a_member_removed_on_one_node_is_refused_on_the_other() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let alice_on_b = cluster
        .b
        .hub
        .register(alice.user_id, hearth_domain::SessionId::new());
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

    // The roster signal travels ahead of the removal's log entry on the same channel.
    until_log(&alice_on_b, group, |kind| {
        matches!(kind, EventKind::MemberRemoved { .. })
    })
    .await;
    assert_send_refused(&cluster.b, bob, group, "node B forgot its roster").await;
}

#[tokio::test]
async fn test_losing_redis_loses_no_message_and_realtime_comes_back_by_itself() {
    let mut redis = OwnRedis::start().await;
    let cluster = Cluster::over_redis(&redis.settings()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_b = cluster
        .b
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());

    redis.stop();
    until_cut_off(&cluster.a).await;
    until_cut_off(&cluster.b).await;
    send(&cluster.a, alice, group, "during")
        .await
        .expect("a send commits without Redis");
    let history = cluster
        .b
        .app
        .sync
        .changes(bob, &Default::default(), None)
        .await
        .expect("sync on node B");
    let synced = history
        .conversations
        .iter()
        .flat_map(|c| &c.events)
        .any(|event| {
            matches!(&event.kind, EventKind::NewMessage(m)
                if m.content.as_ref().is_some_and(|c| c.as_str() == "message during"))
        });
    assert!(synced, "node B's clients catch up by sync");

    redis.start_again().await;
    until_connected(&cluster.a).await;
    until_connected(&cluster.b).await;
    send(&cluster.a, alice, group, "after").await.expect("sent");
    let heard = messages_until(&bob_on_b, group, "message after").await;
    assert_eq!(
        heard.last().map(String::as_str),
        Some("message after"),
        "realtime resumed"
    );
}

#[tokio::test]
async fn test_after_an_outage_a_node_forgets_what_a_lost_signal_would_have_told_it() {
    let mut redis = OwnRedis::start().await;
    let cluster = Cluster::over_redis(&redis.settings()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    send(&cluster.b, bob, group, "cached")
        .await
        .expect("node B caches the roster");

    redis.stop();
    until_cut_off(&cluster.b).await;
    cluster
        .a
        .app
        .conversations
        .remove_member(alice, group, &bob.user_id.to_string())
        .await
        .expect("removed while the signal cannot travel");
    redis.start_again().await;
    until_connected(&cluster.b).await;

    let refused = send(&cluster.b, bob, group, "stale?").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "node B read the roster again: {refused:?}"
    );
}

/// `/readyz`'s bus check, once it reads `want` (bounded: the bus reconnects in milliseconds,
/// and `/readyz` is the only view of it a server from outside gives).
async fn until_readyz_bus(app: &TestApp, want: &str) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let ready = app
            .request(Method::GET, "/readyz", None, None)
            .await
            .expect(200);
        if ready.data()["checks"]["bus"] == want {
            return ready.data().clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bus never read {want}: {:?}",
            ready.data()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn test_a_server_on_redis_reports_its_bus_and_keeps_serving_through_an_outage() {
    let mut redis = OwnRedis::start().await;
    let settings = redis.settings();
    let app = TestApp::spawn_with(|config| {
        config.redis.url = Some(settings.url.clone());
        config.redis.prefix = settings.prefix.clone();
    })
    .await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let ready = until_readyz_bus(&app, "connected").await;
    assert_eq!(ready["status"], "ready");

    redis.stop();
    let degraded = until_readyz_bus(&app, "degraded").await;
    assert_eq!(degraded["status"], "degraded", "still 200: the node serves");
    app.send(&alice, &dm, "k-outage", "sent while Redis is down")
        .await
        .expect(201);

    redis.start_again().await;
    until_readyz_bus(&app, "connected").await;
    let stored = app.all_messages(&alice, &dm).await;
    assert!(
        stored
            .iter()
            .any(|m| m["content"] == "sent while Redis is down"),
        "the message was kept"
    );
}

#[tokio::test]
async fn test_a_server_without_redis_reports_a_local_bus() {
    let app = TestApp::spawn().await;
    let ready = app
        .request(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    assert_eq!(ready.data()["checks"]["bus"], "local");
    assert_eq!(ready.data()["checks"]["database"], "ok");
}

/// Two nodes over `redis` whose users may send three messages a minute.
async fn three_a_minute(redis: &RedisSettings) -> Cluster {
    let mut config = Config::default();
    config.limits.sends_per_user_per_minute = 3;
    Cluster::over_redis_with(redis, config).await
}

fn is_rate_limited(result: &Result<(), AppError>) -> bool {
    matches!(result, Err(AppError::RateLimited { .. }))
}

#[tokio::test]
async fn test_a_users_send_limit_is_one_count_across_nodes() {
    let cluster = three_a_minute(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;

    send(&cluster.a, alice, group, "1").await.expect("first");
    send(&cluster.b, alice, group, "2").await.expect("second");
    send(&cluster.a, alice, group, "3").await.expect("third");
    let fourth = send(&cluster.b, alice, group, "4").await;

    assert!(is_rate_limited(&fourth), "{fourth:?}");
    send(&cluster.b, bob, group, "b1")
        .await
        .expect("another user's quota is their own");
}

#[tokio::test]
async fn test_without_redis_each_node_counts_the_limit_on_its_own() {
    let mut redis = OwnRedis::start().await;
    let cluster = three_a_minute(&redis.settings()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    redis.stop();

    for key in ["1", "2", "3"] {
        send(&cluster.a, alice, group, key)
            .await
            .expect("counted on node A alone");
    }
    let fourth = send(&cluster.a, alice, group, "4").await;
    assert!(is_rate_limited(&fourth), "node A still limits: {fourth:?}");
    send(&cluster.b, alice, group, "5")
        .await
        .expect("node B has counted nothing yet");
}
