//! Two nodes over one database, joined by a bus that carries every message to both, as the
//! Redis bus does (`redis_bus.rs` runs the same behaviours over real Redis). What one node
//! changes, the other must act on at once: its cached rosters and blocks are forgotten, its
//! sockets hear the events, a removed member stops viewing.

use hearth_app::AppError;
use hearth_realtime::Next;

use crate::cluster_support::{Cluster, assert_send_refused, lookup, next_frame, send};

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
    assert_send_refused(&cluster.b, bob, group, "node B forgot its roster").await;
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
    assert_send_refused(&cluster.b, bob, dm, "node B forgot the pair").await;
}

#[tokio::test]
async fn test_a_message_sent_on_one_node_reaches_a_connection_on_the_other() {
    let cluster = Cluster::start().await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let bob_on_b = cluster
        .b
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());
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
    let bob_on_b = cluster
        .b
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());
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
    let bob_on_a = cluster
        .a
        .hub
        .register(bob.user_id, hearth_domain::SessionId::new());
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
                about: None,
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
