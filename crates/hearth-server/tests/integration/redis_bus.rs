//! Two nodes joined by the real Redis bus: events and signals cross between them, a node's own
//! connections hear its events once, and an outage of Redis loses no message — sends commit,
//! realtime comes back by itself, and a node forgets what it may have missed.

use hearth_app::AppError;
use hearth_app::realtime::RealtimeEvent;
use hearth_domain::{ConversationId, EventKind};
use hearth_realtime::{Next, Registration};

use crate::cluster_support::{Cluster, Node, PATIENCE, assert_send_refused, next_frame, send};
use crate::redis_support::{OwnRedis, shared_redis};

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
    let bob_on_b = cluster.b.hub.register(bob.user_id);

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
    let bob_on_a = cluster.a.hub.register(bob.user_id);
    let bob_on_b = cluster.b.hub.register(bob.user_id);

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
    let alice_on_b = cluster.b.hub.register(alice.user_id);
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
    let bob_on_b = cluster.b.hub.register(bob.user_id);

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
