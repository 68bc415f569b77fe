//! Losing PostgreSQL under two `hearth serve` nodes: a PostgreSQL cluster of the test's own is
//! stopped (immediately, as a crash) and started again. While it is down every node answers
//! 503 `unavailable` with `Retry-After` within 10 s and `/readyz` says 503; once it is back,
//! each node serves again by itself within 30 s, and the refused sends, retried with their
//! keys, land once each in one gap-free log beside everything acknowledged before.

use std::time::{Duration, Instant};

use hearth_store_postgres::testing::TestDatabase;
use serde_json::{Value, json};

use crate::node_support::{NodeProcess, post, send};
use crate::postgres_support::OwnPostgres;
use crate::redis_support::shared_redis;

/// How long a request may take to fail while the database is down.
const FAILS_WITHIN: Duration = Duration::from_secs(10);
/// How long a node may take to serve again once the database is back.
const RECOVERS_WITHIN: Duration = Duration::from_secs(30);

/// Sends `key` until a node acknowledges it; how long that took.
async fn send_until_acknowledged(
    client: &reqwest::Client,
    node: &str,
    token: &str,
    dm: &str,
    key: &str,
) -> Duration {
    let started = Instant::now();
    while !send(client, node, token, dm, key).await {
        assert!(
            started.elapsed() < RECOVERS_WITHIN,
            "{node} still refuses {key} after {RECOVERS_WITHIN:?}"
        );
        // The node's pool reconnects on its own schedule; there is no event to await.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_losing_postgres_answers_503_quickly_and_every_node_serves_again_by_itself() {
    let postgres = OwnPostgres::start();
    let database = TestDatabase::create_on(&postgres.url()).await.unwrap();
    let redis = shared_redis();
    let nodes = [
        NodeProcess::start(database.url(), &redis.url, &redis.prefix),
        NodeProcess::start(database.url(), &redis.url, &redis.prefix),
    ];
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for name in ["alice", "bob"] {
        let registered = post(
            &client,
            format!("{}/v1/auth/register", nodes[0].base),
            None,
            json!({ "username": name, "password": "correct horse battery" }),
        )
        .await;
        tokens.push(
            registered["tokens"]["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        ids.push(registered["user"]["id"].clone());
    }
    let dm = post(
        &client,
        format!("{}/v1/conversations/direct", nodes[0].base),
        Some(&tokens[0]),
        json!({ "other_user_id": ids[1] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, node) in nodes.iter().enumerate() {
        for n in 0..5 {
            let key = format!("before-{i}-{n}");
            assert!(send(&client, &node.base, &tokens[0], &dm, &key).await);
        }
    }

    postgres.stop();
    for (i, node) in nodes.iter().enumerate() {
        let started = Instant::now();
        let refused = client
            .post(format!("{}/v1/conversations/{dm}/messages", node.base))
            .bearer_auth(&tokens[0])
            .json(&json!({ "client_message_id": format!("during-{i}"), "content": "hello?" }))
            .send()
            .await
            .unwrap();
        assert!(started.elapsed() < FAILS_WITHIN, "node {i} hung");
        assert_eq!(refused.status(), 503, "node {i}");
        assert!(refused.headers().contains_key("retry-after"), "node {i}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        let ready = client
            .get(format!("{}/readyz", node.base))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 503, "node {i} says it is not ready");
    }

    postgres.start_again();
    for (i, node) in nodes.iter().enumerate() {
        let took =
            send_until_acknowledged(&client, &node.base, &tokens[0], &dm, &format!("during-{i}"))
                .await;
        assert!(took < RECOVERS_WITHIN, "node {i} took {took:?}");
    }

    let mut keys = Vec::new();
    let mut seqs = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = client
            .get(format!(
                "{}/v1/conversations/{dm}/messages?after_seq={after}&limit=100",
                nodes[1].base
            ))
            .bearer_auth(&tokens[1])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let messages = page["data"]["messages"].as_array().unwrap().clone();
        let Some(last) = messages.last() else { break };
        after = last["seq"].as_i64().unwrap();
        for message in &messages {
            keys.push(message["client_message_id"].as_str().unwrap().to_owned());
            seqs.push(message["seq"].as_i64().unwrap());
        }
    }
    let mut expected: Vec<String> = (0..2)
        .flat_map(|i| (0..5).map(move |n| format!("before-{i}-{n}")))
        .collect();
    expected.extend(["during-0".to_owned(), "during-1".to_owned()]);
    assert_eq!(keys, expected, "everything once, in order");
    let first = seqs[0];
    assert_eq!(seqs, (first..first + 12).collect::<Vec<_>>(), "no gap");
}
