//! Sending (idempotent, durable, gap-free) and reading messages.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn test_send_stores_the_message_with_the_next_seq() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app.send(&alice, &dm, "c-1", "hello bob").await.expect(201);
    let message = sent.data();
    assert_eq!(message["conversation_id"], dm.as_str());
    assert_eq!(message["sender_id"], alice.user_id.as_str());
    assert_eq!(message["client_message_id"], "c-1");
    assert_eq!(message["content"], "hello bob");
    assert_eq!(message["seq"], 2);
    assert!(message["created_at"].as_str().is_some());
    let next = app.send(&bob, &dm, "c-1", "hi alice").await.expect(201);
    assert_eq!(next.data()["seq"], 3, "keys are per sender");
}

#[tokio::test]
async fn test_resending_the_same_key_returns_the_original() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let first = app.send(&alice, &dm, "retry-me", "hello").await.expect(201);
    let retry = app.send(&alice, &dm, "retry-me", "hello").await.expect(200);
    assert_eq!(
        first.data(),
        retry.data(),
        "same id, same seq, same timestamp"
    );
    let listed = app
        .get(&format!("/v1/conversations/{dm}/messages"), &bob.access)
        .await
        .expect(200);
    assert_eq!(listed.data()["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn test_the_same_key_with_other_content_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k", "hello").await.expect(201);
    app.send(&alice, &dm, "k", "something else")
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_concurrent_retries_of_one_key_store_one_message() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let answers =
        futures::future::join_all((0..10).map(|_| app.send(&alice, &dm, "once", "only once")))
            .await;
    let ids: BTreeSet<_> = answers
        .iter()
        .map(|a| a.data()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(answers.iter().filter(|a| a.status == 201).count(), 1);
    assert_eq!(answers.iter().filter(|a| a.status == 200).count(), 9);
}

#[tokio::test]
async fn test_fifty_concurrent_senders_get_gap_free_unique_seqs() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let senders = (0..50).map(|sender| {
        let who = if sender % 2 == 0 { &alice } else { &bob };
        let (app, dm) = (&app, &dm);
        async move {
            let mut seqs = Vec::new();
            for n in 0..20 {
                let sent = app
                    .send(
                        who,
                        dm,
                        &format!("s{sender}-m{n}"),
                        &format!("message {n} of sender {sender}"),
                    )
                    .await
                    .expect(201);
                seqs.push(sent.data()["seq"].as_i64().unwrap());
            }
            assert!(
                seqs.windows(2).all(|w| w[0] < w[1]),
                "one sender's seqs increase"
            );
            seqs
        }
    });
    let all: Vec<i64> = futures::future::join_all(senders)
        .await
        .into_iter()
        .flatten()
        .collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 1000);
    assert_eq!(
        unique,
        (2..=1001).collect::<BTreeSet<_>>(),
        "seq 1 is the creation; 1000 messages follow with no gap"
    );

    let stored = app.all_messages(&alice, &dm).await;
    assert_eq!(
        stored.len(),
        1000,
        "every acknowledged message is stored once"
    );
}

#[tokio::test]
async fn test_history_pages_after_a_seq() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..5 {
        app.send(&alice, &dm, &format!("k{i}"), &format!("m{i}"))
            .await
            .expect(201);
    }
    let seqs = |page: &Value| {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let first = app
        .get(
            &format!("/v1/conversations/{dm}/messages?limit=2"),
            &bob.access,
        )
        .await
        .expect(200);
    assert_eq!(seqs(first.data()), [2, 3]);
    assert_eq!(first.data()["has_more"], true);
    let rest = app
        .get(
            &format!("/v1/conversations/{dm}/messages?after_seq=3&limit=10"),
            &bob.access,
        )
        .await
        .expect(200);
    assert_eq!(seqs(rest.data()), [4, 5, 6]);
    assert_eq!(rest.data()["has_more"], false);
    let exact = app
        .get(
            &format!("/v1/conversations/{dm}/messages?after_seq=4&limit=2"),
            &bob.access,
        )
        .await
        .expect(200);
    assert_eq!(
        exact.data()["has_more"],
        false,
        "has_more is false when the page ends exactly at the last message"
    );
}

#[tokio::test]
async fn test_history_validates_after_seq_and_limit() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=x",
        "after_seq=-1",
        "after_seq=abc",
    ] {
        let field = query.split('=').next().unwrap();
        let response = app
            .get(
                &format!("/v1/conversations/{dm}/messages?{query}"),
                &alice.access,
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(
            response.body["error"]["details"][field].is_string(),
            "{query}: {}",
            response.body
        );
    }
    app.get(
        &format!("/v1/conversations/{dm}/messages?limit=100"),
        &alice.access,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn test_message_content_is_1_to_4000_characters() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "max", &"é".repeat(4000))
        .await
        .expect(201);
    let long = app
        .send(&alice, &dm, "long", &"é".repeat(4001))
        .await
        .expect_error(422, "validation_failed");
    assert!(long.body["error"]["details"]["content"].is_string());
    app.send(&alice, &dm, "empty", "")
        .await
        .expect_error(422, "validation_failed");
    app.send(&alice, &dm, "blank", "   ")
        .await
        .expect_error(422, "validation_failed");
    let key = app
        .send(&alice, &dm, &"k".repeat(129), "hi")
        .await
        .expect_error(422, "validation_failed");
    assert!(key.body["error"]["details"]["client_message_id"].is_string());
}

#[tokio::test]
async fn test_outsiders_can_neither_read_nor_send() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let dm = app.direct(&alice, &bob).await;
    app.get(&format!("/v1/conversations/{dm}/messages"), &eve.access)
        .await
        .expect_error(403, "forbidden");
    app.send(&eve, &dm, "k", "let me in")
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn test_unknown_conversations_are_not_found() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    app.get(
        &format!("/v1/conversations/{unknown}/messages"),
        &alice.access,
    )
    .await
    .expect_error(404, "not_found");
    app.send(&alice, &unknown, "k", "hello?")
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_sends_are_rate_limited_per_user() {
    let app = TestApp::spawn_with(|c| c.limits.sends_per_user_per_minute = 3).await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..3 {
        app.send(&alice, &dm, &format!("k{i}"), "hi")
            .await
            .expect(201);
    }
    let limited = app
        .send(&alice, &dm, "k3", "hi")
        .await
        .expect_error(429, "rate_limited");
    assert!(limited.headers.contains_key("retry-after"));
    app.send(&bob, &dm, "b0", "my quota is my own")
        .await
        .expect(201);
}

#[tokio::test]
async fn test_a_retry_over_quota_still_gets_the_original() {
    let app = TestApp::spawn_with(|c| c.limits.sends_per_user_per_minute = 1).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let original = app.send(&alice, &dm, "k", "hi").await.expect(201);
    let retry = app.send(&alice, &dm, "k", "hi").await.expect(200);
    assert_eq!(original.data(), retry.data());
    app.send(&alice, &dm, "k", "changed")
        .await
        .expect_error(409, "conflict");
    app.send(&alice, &dm, "new", "hi")
        .await
        .expect_error(429, "rate_limited");
}

#[tokio::test]
async fn test_messages_need_a_json_body_with_both_fields() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let response = app
        .post(
            &format!("/v1/conversations/{dm}/messages"),
            &alice.access,
            json!({ "content": "no key" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(response.body["error"]["details"]["client_message_id"].is_string());
}
