//! Presence across two nodes joined by Redis: online means online on any node, and a user goes
//! offline only with their last connection anywhere.

use hearth_app::Caller;
use hearth_app::realtime::{Connected, RealtimeEvent};
use hearth_domain::UserId;
use hearth_realtime::{Next, Registration};

use crate::cluster_support::{Cluster, Node, next_frame};
use crate::redis_support::shared_redis;

/// A connection of `caller` on `node`, connected through the realtime use case.
async fn connect(node: &Node, caller: Caller) -> (Registration, Connected) {
    let registration = node.hub.register(caller.user_id);
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
