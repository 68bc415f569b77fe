//! Two `hearth serve` processes on one PostgreSQL and one Redis; node A is killed (SIGKILL)
//! while senders' requests are in flight. Each sender moves to node B and retries what was not
//! acknowledged with the same key; the reader on node B ends with every message exactly once,
//! in one gap-free seq.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hearth_store_postgres::testing::TestDatabase;
use serde_json::{Value, json};

use crate::node_support::{NodeProcess, post, send};
use crate::redis_support::shared_redis;

/// How many messages are sent, by how many concurrent senders, and after how many
/// acknowledgements node A dies.
const MESSAGES: usize = 80;
const SENDERS: usize = 4;
const KILL_AFTER: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_killed_node_loses_nothing_its_clients_retry_on_the_other() {
    let database = TestDatabase::create().await.unwrap();
    let redis = shared_redis();
    let mut a = NodeProcess::start(database.url(), &redis.url, &redis.prefix);
    let b = NodeProcess::start(database.url(), &redis.url, &redis.prefix);
    let client = reqwest::Client::new();
    let register = |name: &'static str| {
        let (client, base) = (client.clone(), a.base.clone());
        async move {
            post(
                &client,
                format!("{base}/v1/auth/register"),
                None,
                json!({ "username": name, "password": "correct horse battery" }),
            )
            .await
        }
    };
    let alice = register("alice").await;
    let bob = register("bob").await;
    let alice_token = alice["tokens"]["access_token"].as_str().unwrap().to_owned();
    let bob_token = bob["tokens"]["access_token"].as_str().unwrap().to_owned();
    let dm = post(
        &client,
        format!("{}/v1/conversations/direct", a.base),
        Some(&alice_token),
        json!({ "other_user_id": bob["user"]["id"] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Four senders share the traffic; node A dies while their requests are in flight. A send
    // that got no answer may still have committed: its retry on node B, with the same key,
    // must return the original rather than a second message.
    let acked = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(tokio::sync::Notify::new());
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (client, token, dm) = (client.clone(), alice_token.clone(), dm.clone());
            let (a_base, b_base) = (a.base.clone(), b.base.clone());
            let (acked, killed) = (acked.clone(), killed.clone());
            tokio::spawn(async move {
                let mut node = a_base;
                for n in (sender..MESSAGES).step_by(SENDERS) {
                    let key = format!("k{n}");
                    if !send(&client, &node, &token, &dm, &key).await {
                        node = b_base.clone();
                        assert!(
                            send(&client, &node, &token, &dm, &key).await,
                            "node B takes the retry of {key}"
                        );
                    }
                    if acked.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                        killed.notify_one();
                    }
                }
                node == b_base
            })
        })
        .collect();
    killed.notified().await;
    a.kill();
    for sender in senders {
        assert!(sender.await.unwrap(), "every sender ended on node B");
    }

    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = client
            .get(format!(
                "{}/v1/conversations/{dm}/messages?after_seq={after}&limit=100",
                b.base
            ))
            .bearer_auth(&bob_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let messages = page["data"]["messages"].as_array().unwrap().clone();
        let Some(last) = messages.last() else { break };
        after = last["seq"].as_i64().unwrap();
        seen.extend(messages);
    }
    let keys: Vec<&str> = seen
        .iter()
        .map(|m| m["client_message_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..MESSAGES).map(|n| format!("k{n}")).collect();
    let mut sorted = keys.clone();
    sorted.sort_by_key(|k| k.trim_start_matches('k').parse::<usize>().unwrap());
    let unique: std::collections::BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "no message twice");
    assert_eq!(sorted, expected, "every message once");
    let seqs: Vec<i64> = seen.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    let first = seqs[0];
    assert_eq!(
        seqs,
        (first..first + MESSAGES as i64).collect::<Vec<_>>(),
        "no gap"
    );
}
