//! `/v1/conversations`: direct conversations, the list, one conversation, read markers.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_direct_creates_once_then_returns_the_same_conversation() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let created = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "other_user_id": bob.user_id }),
        )
        .await
        .expect(201);
    let id = created.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.data()["type"], "direct");
    assert_eq!(created.data()["members"].as_array().unwrap().len(), 2);
    assert_eq!(
        created.data()["last_seq"],
        1,
        "creation is the first event of the log"
    );

    let again = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "other_user_id": bob.user_id }),
        )
        .await
        .expect(200);
    assert_eq!(again.data()["id"], id.as_str());
    let from_bob = app
        .post(
            "/v1/conversations/direct",
            &bob.access,
            json!({ "other_user_id": alice.user_id }),
        )
        .await
        .expect(200);
    assert_eq!(from_bob.data()["id"], id.as_str());
}

#[tokio::test]
async fn test_concurrent_direct_creation_yields_one_conversation() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let attempts = (0..12).map(|i| {
        let (me, other) = if i % 2 == 0 {
            (&alice, &bob)
        } else {
            (&bob, &alice)
        };
        app.post(
            "/v1/conversations/direct",
            &me.access,
            json!({ "other_user_id": other.user_id }),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    let ids: BTreeSet<_> = answers
        .iter()
        .map(|a| a.data()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(answers.iter().filter(|a| a.status == 201).count(), 1);
}

#[tokio::test]
async fn test_direct_refuses_yourself_an_unknown_user_and_a_malformed_id() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        json!({ "other_user_id": alice.user_id }),
    )
    .await
    .expect_error(422, "validation_failed");
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        json!({ "other_user_id": uuid::Uuid::now_v7() }),
    )
    .await
    .expect_error(404, "not_found");
    let malformed = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "other_user_id": "bob" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(malformed.body["error"]["details"]["other_user_id"].is_string());
}

#[tokio::test]
async fn test_the_list_carries_preview_time_and_unread_count() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&bob, &dm, "b1", "first").await.expect(201);
    app.send(&bob, &dm, "b2", "second line\nof two")
        .await
        .expect(201);
    app.send(&alice, &dm, "a1", "my reply").await.expect(201);

    let list = app
        .get("/v1/conversations", &alice.access)
        .await
        .expect(200);
    let conversation = &list.data()["conversations"][0];
    assert_eq!(conversation["id"], dm.as_str());
    assert_eq!(conversation["last_message_preview"], "my reply");
    assert!(conversation["last_message_at"].as_str().is_some());
    assert_eq!(
        conversation["unread_count"], 2,
        "my own message is not unread for me"
    );
    assert_eq!(conversation["last_seq"], 4);

    let for_bob = app.get("/v1/conversations", &bob.access).await.expect(200);
    assert_eq!(for_bob.data()["conversations"][0]["unread_count"], 1);
}

#[tokio::test]
async fn test_the_list_is_ordered_by_latest_activity() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let with_bob = app.direct(&alice, &bob).await;
    let with_carol = app.direct(&alice, &carol).await;
    app.send(&bob, &with_bob, "k", "latest").await.expect(201);
    let list = app
        .get("/v1/conversations", &alice.access)
        .await
        .expect(200);
    let ids: Vec<_> = list.data()["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [with_bob, with_carol]);
}

#[tokio::test]
async fn test_mark_read_moves_the_marker_and_clears_unread() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..3 {
        app.send(&bob, &dm, &format!("k{i}"), "hello")
            .await
            .expect(201);
    }
    let marked = app
        .post(
            &format!("/v1/conversations/{dm}/read"),
            &alice.access,
            json!({ "seq": 3 }),
        )
        .await
        .expect(200);
    assert_eq!(marked.data()["last_read_seq"], 3);
    assert_eq!(marked.data()["unread_count"], 1);
    let back = app
        .post(
            &format!("/v1/conversations/{dm}/read"),
            &alice.access,
            json!({ "seq": 1 }),
        )
        .await
        .expect(200);
    assert_eq!(back.data()["last_read_seq"], 3, "markers never move back");
    let all = app
        .post(
            &format!("/v1/conversations/{dm}/read"),
            &alice.access,
            json!({ "seq": 99 }),
        )
        .await
        .expect(200);
    assert_eq!(all.data()["last_read_seq"], 4, "clamped to the latest seq");
    let list = app
        .get("/v1/conversations", &alice.access)
        .await
        .expect(200);
    assert_eq!(list.data()["conversations"][0]["unread_count"], 0);
    assert_eq!(list.data()["conversations"][0]["last_read_seq"], 4);
}

#[tokio::test]
async fn test_mark_read_refuses_a_negative_seq_outsiders_and_unknown_conversations() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let dm = app.direct(&alice, &bob).await;
    app.post(
        &format!("/v1/conversations/{dm}/read"),
        &alice.access,
        json!({ "seq": -1 }),
    )
    .await
    .expect_error(422, "validation_failed");
    app.post(
        &format!("/v1/conversations/{dm}/read"),
        &eve.access,
        json!({ "seq": 1 }),
    )
    .await
    .expect_error(403, "forbidden");
    let unknown = uuid::Uuid::now_v7();
    app.post(
        &format!("/v1/conversations/{unknown}/read"),
        &alice.access,
        json!({ "seq": 1 }),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_one_conversation_is_visible_to_members_only() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let dm = app.direct(&alice, &bob).await;
    let seen = app
        .get(&format!("/v1/conversations/{dm}"), &bob.access)
        .await
        .expect(200);
    assert_eq!(seen.data()["id"], dm.as_str());
    app.get(&format!("/v1/conversations/{dm}"), &eve.access)
        .await
        .expect_error(403, "forbidden");
    app.get(
        &format!("/v1/conversations/{}", uuid::Uuid::now_v7()),
        &eve.access,
    )
    .await
    .expect_error(404, "not_found");
    let eves = app.get("/v1/conversations", &eve.access).await.expect(200);
    assert_eq!(eves.data()["conversations"].as_array().unwrap().len(), 0);
}
