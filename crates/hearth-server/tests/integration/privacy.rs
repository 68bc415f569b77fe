//! Consent and blocking: who may start a direct conversation with me, who may add me, and
//! what a block stops.

use serde_json::json;

use crate::support::{Session, TestApp};

async fn set_privacy(app: &TestApp, who: &Session, body: serde_json::Value) {
    app.put("/v1/users/me/privacy", &who.access, body)
        .await
        .expect(200);
}

async fn block(app: &TestApp, blocker: &Session, blocked: &Session) {
    app.post(
        "/v1/users/me/blocks",
        &blocker.access,
        json!({ "user_id": blocked.user_id }),
    )
    .await
    .expect(201);
}

fn start_direct(other: &Session) -> serde_json::Value {
    json!({ "other_user_id": other.user_id })
}

#[tokio::test]
async fn test_privacy_defaults_to_everyone_and_changes_field_by_field() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let privacy = app
        .get("/v1/users/me/privacy", &alice.access)
        .await
        .expect(200);
    assert_eq!(
        privacy.data(),
        &json!({ "direct_messages": "everyone", "group_invites": "everyone" })
    );
    let changed = app
        .put(
            "/v1/users/me/privacy",
            &alice.access,
            json!({ "group_invites": "nobody" }),
        )
        .await
        .expect(200);
    assert_eq!(
        changed.data(),
        &json!({ "direct_messages": "everyone", "group_invites": "nobody" })
    );
    app.put(
        "/v1/users/me/privacy",
        &alice.access,
        json!({ "direct_messages": "friends" }),
    )
    .await
    .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_direct_messages_follow_the_recipients_consent() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    set_privacy(&app, &bob, json!({ "direct_messages": "nobody" })).await;
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        start_direct(&bob),
    )
    .await
    .expect_error(403, "forbidden");

    set_privacy(
        &app,
        &carol,
        json!({ "direct_messages": "shared_conversations" }),
    )
    .await;
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        start_direct(&carol),
    )
    .await
    .expect_error(403, "forbidden");
    app.group(&alice, &[&carol]).await;
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        start_direct(&carol),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn test_a_direct_conversation_can_be_started_by_username_or_email() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "bob", "password": "correct horse battery",
                    "email": "Bob@Example.org" }),
        )
        .await
        .expect(201);
    let bob_id = bob.data()["user"]["id"].as_str().unwrap().to_owned();
    let by_name = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "username": "BOB" }),
        )
        .await
        .expect(201);
    let by_email = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "email": "bob@example.org" }),
        )
        .await
        .expect(200);
    assert_eq!(by_name.data()["id"], by_email.data()["id"]);
    assert!(
        by_name.data()["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["id"] == bob_id.as_str())
    );
    app.post(
        "/v1/conversations/direct",
        &alice.access,
        json!({ "username": "nobody_here" }),
    )
    .await
    .expect_error(404, "not_found");
    app.post("/v1/conversations/direct", &alice.access, json!({}))
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_group_invites_follow_consent() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    set_privacy(&app, &bob, json!({ "group_invites": "nobody" })).await;
    app.post(
        "/v1/conversations",
        &alice.access,
        json!({ "type": "group", "title": "g", "member_ids": [bob.user_id] }),
    )
    .await
    .expect_error(403, "forbidden");
    let group = app.group(&alice, &[]).await;
    app.add_member(&alice, &group, &bob)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn test_blocking_stops_direct_messages_both_ways_and_invites() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&bob, &dm, "k1", "before").await.expect(201);
    block(&app, &alice, &bob).await;
    app.send(&bob, &dm, "k2", "after")
        .await
        .expect_error(403, "forbidden");
    app.send(&alice, &dm, "k3", "me neither")
        .await
        .expect_error(403, "forbidden");
    let group = app.group(&bob, &[]).await;
    app.add_member(&bob, &group, &alice)
        .await
        .expect_error(403, "forbidden");
    // The conversation stays in both lists, read-only; asking to open it again is refused
    // like starting one.
    app.post(
        "/v1/conversations/direct",
        &bob.access,
        start_direct(&alice),
    )
    .await
    .expect_error(403, "forbidden");
    app.get(&format!("/v1/conversations/{dm}/messages"), &bob.access)
        .await
        .expect(200);
    app.delete(
        &format!("/v1/users/me/blocks/{}", bob.user_id),
        &alice.access,
    )
    .await
    .expect(200);
    app.send(&bob, &dm, "k4", "friends again").await.expect(201);
}

#[tokio::test]
async fn test_a_new_direct_conversation_with_a_blocker_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;
    app.post(
        "/v1/conversations/direct",
        &bob.access,
        start_direct(&alice),
    )
    .await
    .expect_error(403, "forbidden");
}

#[tokio::test]
async fn test_a_blocked_users_mentions_do_not_reach_the_blocker() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let group = app.group(&carol, &[&alice, &bob]).await;
    block(&app, &alice, &bob).await;
    let sent = app
        .send(&bob, &group, "k1", "hey @alice and @carol")
        .await
        .expect(201);
    assert_eq!(sent.data()["mentions"], json!([carol.user_id]));
}

#[tokio::test]
async fn test_blocks_are_listed_idempotent_and_checked() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    block(&app, &alice, &bob).await;
    app.post(
        "/v1/users/me/blocks",
        &alice.access,
        json!({ "user_id": bob.user_id }),
    )
    .await
    .expect(200);
    let list = app
        .get("/v1/users/me/blocks", &alice.access)
        .await
        .expect(200);
    let blocked = list.data()["blocked"].as_array().unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0]["user"]["id"], bob.user_id.as_str());
    app.post(
        "/v1/users/me/blocks",
        &alice.access,
        json!({ "user_id": alice.user_id }),
    )
    .await
    .expect_error(422, "validation_failed");
    app.post(
        "/v1/users/me/blocks",
        &alice.access,
        json!({ "user_id": uuid::Uuid::now_v7() }),
    )
    .await
    .expect_error(404, "not_found");
    app.delete(
        &format!("/v1/users/me/blocks/{}", alice.user_id),
        &bob.access,
    )
    .await
    .expect_error(404, "not_found");
}
