//! Presence and viewers across two nodes joined by Redis: online means online on any node, a
//! user goes offline only with their last connection anywhere, and a conversation's viewers
//! are everyone subscribed to it on any node, each once, in the order they came.

use hearth_app::Caller;
use hearth_app::realtime::{Connected, RealtimeEvent};
use hearth_domain::{ConversationId, UserId};
use hearth_realtime::{Next, Registration};

use crate::cluster_support::{Cluster, Node, next_frame};
use crate::redis_support::shared_redis;

/// A connection of `caller` on `node`, connected through the realtime use case.
async fn connect(node: &Node, caller: Caller) -> (Registration, Connected) {
    let registration = node.hub.register(caller.user_id, caller.session_id);
    let connected = node
        .app
        .realtime
        .connect(caller, registration.id)
        .await
        .expect("connected");
    (registration, connected)
}

fn shows_online(connected: &Connected, user: UserId) -> bool {
    connected
        .presence
        .iter()
        .any(|entry| entry.user_id == user && entry.online)
}

/// The next presence event about `user` on `registration`: whether they are online.
async fn next_presence_of(registration: &Registration, user: UserId) -> bool {
    loop {
        match next_frame(registration).await {
            Next::Frame(frame) => {
                if let RealtimeEvent::Presence {
                    user_id, online, ..
                } = frame.delivery.event
                    && user_id == user
                {
                    return online;
                }
            }
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

#[tokio::test]
async fn test_over_redis_someone_online_on_one_node_is_online_on_the_other() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    cluster.group(alice, &[bob]).await;

    let (_alice_on_a, _) = connect(&cluster.a, alice).await;
    let (_bob_on_b, bob_sees) = connect(&cluster.b, bob).await;

    assert!(
        shows_online(&bob_sees, alice.user_id),
        "{:?}",
        bob_sees.presence
    );
}

#[tokio::test]
async fn test_over_redis_a_user_goes_offline_only_with_their_last_connection_anywhere() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    cluster.group(alice, &[bob]).await;
    let (bob_on_b, _) = connect(&cluster.b, bob).await;
    let (_alice_on_a, on_a) = connect(&cluster.a, alice).await;
    assert!(
        next_presence_of(&bob_on_b, alice.user_id).await,
        "alice came online"
    );
    let (_alice_on_b, on_b) = connect(&cluster.b, alice).await;

    cluster.a.app.realtime.disconnect(&on_a.session).await;
    let (_bob_on_a, still) = connect(&cluster.a, bob).await;
    assert!(
        shows_online(&still, alice.user_id),
        "her device on node B keeps her online"
    );

    cluster.b.app.realtime.disconnect(&on_b.session).await;
    assert!(
        !next_presence_of(&bob_on_b, alice.user_id).await,
        "the first presence event after coming online is going offline, with her last device"
    );
}

fn names(viewers: &[hearth_app::realtime::UserRef]) -> Vec<&str> {
    viewers.iter().map(|v| v.username.as_str()).collect()
}

#[tokio::test]
async fn test_over_redis_viewers_on_both_nodes_are_listed_once_in_the_order_they_came() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob) = (cluster.user("alice").await, cluster.user("bob").await);
    let group = cluster.group(alice, &[bob]).await;
    let (_a1, alice_a) = connect(&cluster.a, alice).await;
    let (_a2, alice_b) = connect(&cluster.b, alice).await;
    let (_b1, bob_b) = connect(&cluster.b, bob).await;
    let realtime = |node: &Node| node.app.realtime.clone();

    realtime(&cluster.a)
        .subscribe(&alice_a.session, group)
        .await
        .expect("alice views on node A");
    let listed = realtime(&cluster.b)
        .subscribe(&bob_b.session, group)
        .await
        .expect("bob views on node B");
    assert_eq!(
        names(&listed),
        ["alice", "bob"],
        "node B lists node A's viewer"
    );

    realtime(&cluster.b)
        .subscribe(&alice_b.session, group)
        .await
        .expect("alice views on node B too");
    let listed = realtime(&cluster.b)
        .subscribe(&bob_b.session, group)
        .await
        .expect("again");
    assert_eq!(
        names(&listed),
        ["alice", "bob"],
        "once each, in the order they came"
    );
}

/// The next viewer event of `conversation` on `registration`: who, and whether they came.
async fn next_viewer_event(
    registration: &Registration,
    conversation: ConversationId,
) -> (String, bool) {
    loop {
        match next_frame(registration).await {
            Next::Frame(frame) => {
                if let RealtimeEvent::Viewer {
                    conversation_id,
                    user,
                    joined,
                } = &frame.delivery.event
                    && *conversation_id == conversation
                {
                    return (user.username.clone(), *joined);
                }
            }
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

#[tokio::test]
async fn test_over_redis_a_viewer_leaves_only_with_their_last_view_anywhere() {
    let cluster = Cluster::over_redis(&shared_redis()).await;
    let (alice, bob, carol) = (
        cluster.user("alice").await,
        cluster.user("bob").await,
        cluster.user("carol").await,
    );
    let group = cluster.group(alice, &[bob, carol]).await;
    let (_a1, alice_a) = connect(&cluster.a, alice).await;
    let (_a2, alice_b) = connect(&cluster.b, alice).await;
    let (bob_on_b, bob_b) = connect(&cluster.b, bob).await;
    let (_c1, carol_a) = connect(&cluster.a, carol).await;
    let (a, b) = (
        cluster.a.app.realtime.clone(),
        cluster.b.app.realtime.clone(),
    );
    b.subscribe(&bob_b.session, group).await.expect("viewing");
    a.subscribe(&alice_a.session, group).await.expect("viewing");
    assert_eq!(
        next_viewer_event(&bob_on_b, group).await,
        ("alice".to_owned(), true)
    );
    b.subscribe(&alice_b.session, group).await.expect("viewing");

    a.unsubscribe(&alice_a.session, group).await;
    // A marker: had alice's view on node A been her last, her leaving would come first.
    a.subscribe(&carol_a.session, group).await.expect("viewing");
    assert_eq!(
        next_viewer_event(&bob_on_b, group).await,
        ("carol".to_owned(), true)
    );

    b.unsubscribe(&alice_b.session, group).await;
    assert_eq!(
        next_viewer_event(&bob_on_b, group).await,
        ("alice".to_owned(), false)
    );
    let listed = b.subscribe(&bob_b.session, group).await.expect("again");
    assert_eq!(names(&listed), ["bob", "carol"]);
}
