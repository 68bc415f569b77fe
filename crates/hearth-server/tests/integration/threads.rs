//! Replies and threads: `reply_to` on send, counters on the root, a thread paged on its own.

use serde_json::{Value, json};

use crate::message_support::{MessageApi, id_of};
use crate::support::TestApp;

fn ids(page: &Value, key: &str) -> Vec<String> {
    page[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn test_replies_form_a_thread_with_counters_on_every_copy() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let root = id_of(&app.send(&alice, &dm, "root", "lunch?").await.expect(201));
    let first = app.reply(&bob, &dm, "r1", "yes", &root).await.expect(201);
    assert_eq!(first.data()["reply_to"], root.as_str());
    assert_eq!(first.data()["thread_root_id"], root.as_str());
    assert!(
        first.data()["thread"].is_null(),
        "counters live on the root"
    );
    let nested = app
        .reply(&alice, &dm, "r2", "where?", &id_of(&first))
        .await
        .expect(201);
    assert_eq!(nested.data()["reply_to"], id_of(&first).as_str());
    assert_eq!(nested.data()["thread_root_id"], root.as_str());

    let root_now = app.message(&bob, &dm, &root).await.expect(200);
    assert!(root_now.data()["reply_to"].is_null());
    assert!(root_now.data()["thread_root_id"].is_null());
    assert_eq!(root_now.data()["thread"]["root_id"], root.as_str());
    assert_eq!(root_now.data()["thread"]["reply_count"], 2);
    assert_eq!(
        root_now.data()["thread"]["last_reply_at"],
        nested.data()["created_at"]
    );
    let events = app.all_events(&bob).await;
    let (_, reply_event) = &events[3];
    assert_eq!(reply_event["message"]["id"], id_of(&nested).as_str());
    assert_eq!(
        reply_event["thread"],
        root_now.data()["thread"],
        "an event about a reply carries its root's counters as they are now"
    );
    app.delete_message(&alice, &dm, &id_of(&nested))
        .await
        .expect(200);
    let root_now = app.message(&bob, &dm, &root).await.expect(200);
    assert_eq!(root_now.data()["thread"]["reply_count"], 1);
    let plain = app.send(&bob, &dm, "plain", "unrelated").await.expect(201);
    assert!(plain.data()["thread"].is_null());
}

#[tokio::test]
async fn test_a_thread_is_paged_on_its_own() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let root = id_of(&app.send(&alice, &dm, "root", "topic").await.expect(201));
    let other = id_of(&app.send(&alice, &dm, "other", "other").await.expect(201));
    let mut replies: Vec<String> = Vec::new();
    for i in 0..5 {
        let to = if i == 2 {
            replies[1].clone()
        } else {
            root.clone()
        };
        replies.push(id_of(
            &app.reply(&bob, &dm, &format!("r{i}"), &format!("reply {i}"), &to)
                .await
                .expect(201),
        ));
        app.reply(&bob, &dm, &format!("x{i}"), "elsewhere", &other)
            .await
            .expect(201);
    }
    let path = |query: &str| format!("/v1/conversations/{dm}/messages/{root}/thread?{query}");
    let all = app.get(&path(""), &alice.access).await.expect(200);
    assert_eq!(all.data()["root"]["id"], root.as_str());
    assert_eq!(all.data()["root"]["thread"]["reply_count"], 5);
    assert_eq!(ids(all.data(), "messages"), replies);
    assert_eq!(all.data()["has_more"], false);

    let first = app.get(&path("limit=2"), &alice.access).await.expect(200);
    assert_eq!(ids(first.data(), "messages"), replies[..2]);
    assert_eq!(first.data()["has_more"], true);
    let after = first.data()["messages"][1]["seq"].as_i64().unwrap();
    let next = app
        .get(&path(&format!("limit=2&after_seq={after}")), &alice.access)
        .await
        .expect(200);
    assert_eq!(ids(next.data(), "messages"), replies[2..4]);

    let latest = app
        .get(&path("limit=2&before_seq=1000000"), &alice.access)
        .await
        .expect(200);
    assert_eq!(ids(latest.data(), "messages"), replies[3..]);
    assert_eq!(latest.data()["has_more"], true, "older replies exist");

    let via_reply = app
        .get(
            &format!("/v1/conversations/{dm}/messages/{}/thread", replies[2]),
            &alice.access,
        )
        .await
        .expect(200);
    assert_eq!(via_reply.data()["root"]["id"], root.as_str());
    let empty = app
        .get(
            &format!(
                "/v1/conversations/{dm}/messages/{}/thread?limit=5",
                id_of(
                    &app.send(&alice, &dm, "lonely", "no replies")
                        .await
                        .expect(201)
                )
            ),
            &alice.access,
        )
        .await
        .expect(200);
    assert_eq!(empty.data()["messages"], json!([]));
}

#[tokio::test]
async fn test_a_reply_must_name_a_message_of_the_same_conversation() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let other = app.direct(&alice, &carol).await;
    let elsewhere = id_of(&app.send(&alice, &other, "x", "elsewhere").await.expect(201));
    for target in [elsewhere, uuid::Uuid::now_v7().to_string()] {
        let answer = app
            .reply(&bob, &dm, "r", "reply", &target)
            .await
            .expect_error(422, "validation_failed");
        assert!(answer.body["error"]["details"]["reply_to"].is_string());
    }
    let malformed = app
        .reply(&bob, &dm, "r", "reply", "not-a-uuid")
        .await
        .expect_error(422, "validation_failed");
    assert!(malformed.body["error"]["details"]["reply_to"].is_string());
    let gone = id_of(&app.send(&alice, &dm, "g", "going").await.expect(201));
    app.delete_message(&alice, &dm, &gone).await.expect(200);
    let to_tombstone = app.reply(&bob, &dm, "r", "still", &gone).await.expect(201);
    assert_eq!(
        to_tombstone.data()["thread_root_id"],
        gone.as_str(),
        "a reply composed offline to a message deleted meanwhile still lands"
    );
}

#[tokio::test]
async fn test_thread_errors_follow_the_envelope() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let root = id_of(&app.send(&alice, &dm, "root", "topic").await.expect(201));
    let path = format!("/v1/conversations/{dm}/messages/{root}/thread");
    app.get(&path, &carol.access)
        .await
        .expect_error(403, "forbidden");
    app.get(
        &format!(
            "/v1/conversations/{dm}/messages/{}/thread",
            uuid::Uuid::now_v7()
        ),
        &alice.access,
    )
    .await
    .expect_error(404, "not_found");
    let bad = app
        .get(&format!("{path}?limit=0&before_seq=x"), &alice.access)
        .await
        .expect_error(422, "validation_failed");
    assert!(bad.body["error"]["details"]["before_seq"].is_string());
}
