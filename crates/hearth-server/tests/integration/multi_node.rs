//! Two real servers — two nodes of one Hearth — on one PostgreSQL database and one Redis,
//! each with its own data directory and port: what happens on one is what happens on the
//! other. Tokens cross, messages and read receipts reach sockets on the other node, concurrent sends through
//! both keep one gap-free seq, and a user's send limit is one count.

use std::sync::Arc;

use futures::future::join_all;
use hearth_redis::RedisSettings;
use hearth_server::Config;
use hearth_store_postgres::testing::TestDatabase;
use serde_json::json;

use crate::redis_support::shared_redis;
use crate::support::TestApp;

/// A node on `database` and `redis`, configured by `adjust`.
async fn node(
    database: Arc<TestDatabase>,
    redis: &RedisSettings,
    adjust: &impl Fn(&mut Config),
) -> TestApp {
    TestApp::spawn_on_postgres_with(database, |config| {
        config.redis.url = Some(redis.url.clone());
        config.redis.prefix = redis.prefix.clone();
        adjust(config);
    })
    .await
}

/// Two nodes on a fresh database and a fresh Redis prefix, both configured by `adjust`.
async fn two_nodes(adjust: impl Fn(&mut Config)) -> (TestApp, TestApp) {
    let database = Arc::new(TestDatabase::create().await.expect("test database"));
    let redis = shared_redis();
    let a = node(database.clone(), &redis, &adjust).await;
    // The first node has created the schema and the signing secret; the second reads them.
    a.request(reqwest::Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    let b = node(database, &redis, &adjust).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_token_from_one_node_works_on_the_other() {
    let (a, b) = two_nodes(|_| {}).await;
    let alice = a.register("alice").await;
    let me = b.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(me.data()["username"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_message_sent_on_one_node_reaches_a_socket_on_the_other() {
    let (a, b) = two_nodes(|_| {}).await;
    let (alice, bob, dm) = a.alice_and_bob().await;
    let mut bob_on_b = b.ws(&bob).await;

    a.send(&alice, &dm, "k1", "across nodes").await.expect(201);

    let event = bob_on_b.next_of("new_message").await;
    assert_eq!(event["message"]["content"], "across nodes", "{event}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_typing_and_presence_cross_between_nodes() {
    let (a, b) = two_nodes(|_| {}).await;
    let (alice, bob, dm) = a.alice_and_bob().await;
    let mut bob_on_b = b.ws(&bob).await;
    bob_on_b.subscribe(&dm).await;

    let mut alice_on_a = a.ws(&alice).await;
    let presence = bob_on_b.next_of("presence").await;
    assert_eq!(
        (presence["user_id"].as_str(), presence["status"].as_str()),
        (Some(alice.user_id.as_str()), Some("online")),
        "{presence}"
    );
    alice_on_a.subscribe(&dm).await;
    alice_on_a
        .send(json!({ "action": "user_typing", "conversation_id": dm }))
        .await;
    let typing = bob_on_b.next_of("typing_indicator").await;
    assert_eq!(typing["user"]["id"], alice.user_id.as_str(), "{typing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_read_receipt_on_one_node_reaches_the_sender_on_the_other() {
    let (a, b) = two_nodes(|_| {}).await;
    let (alice, bob, dm) = a.alice_and_bob().await;
    let mut alice_on_a = a.ws(&alice).await;
    let sent = a.send(&alice, &dm, "k1", "read me").await.expect(201);
    let seq = sent.data()["seq"].clone();

    b.post(
        &format!("/v1/conversations/{dm}/read"),
        &bob.access,
        json!({ "seq": seq }),
    )
    .await
    .expect(200);

    let receipt = loop {
        let receipt = alice_on_a.next_of("receipt").await;
        if receipt["status"] == "read" {
            break receipt;
        }
    };
    assert_eq!(receipt["user_id"], bob.user_id.as_str(), "{receipt}");
    assert_eq!(receipt["seq"], seq, "{receipt}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_concurrent_sends_through_both_nodes_keep_one_gap_free_seq() {
    let (a, b) = two_nodes(|_| {}).await;
    let (alice, bob, dm) = a.alice_and_bob().await;
    let sends = (0..40).map(|n| {
        let (node, who) = if n % 2 == 0 { (&a, &alice) } else { (&b, &bob) };
        let dm = dm.clone();
        async move {
            node.send(who, &dm, &format!("k{n}"), &format!("message {n}"))
                .await
                .expect(201)
        }
    });
    join_all(sends).await;

    let stored = a.all_messages(&alice, &dm).await;
    let seqs: Vec<i64> = stored.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs.len(), 40, "each send stored once");
    let first = seqs[0];
    let expected: Vec<i64> = (first..first + 40).collect();
    assert_eq!(seqs, expected, "no gap, no double");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_users_send_limit_is_one_count_on_both_nodes() {
    let (a, b) = two_nodes(|config| config.limits.sends_per_user_per_minute = 3).await;
    let (alice, _bob, dm) = a.alice_and_bob().await;
    a.send(&alice, &dm, "k1", "one").await.expect(201);
    b.send(&alice, &dm, "k2", "two").await.expect(201);
    a.send(&alice, &dm, "k3", "three").await.expect(201);
    b.send(&alice, &dm, "k4", "four")
        .await
        .expect_error(429, "rate_limited");
}
