//! Deleting messages: a tombstone in place, its content gone from every read path.

use serde_json::Value;

use crate::message_support::{MessageApi, encode, id_of};
use crate::support::TestApp;

/// Whether `text` appears anywhere in `value`.
fn mentions_text(value: &Value, text: &str) -> bool {
    value.to_string().contains(text)
}

#[tokio::test]
async fn test_a_deleted_message_leaves_a_tombstone_without_content_everywhere() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app
        .send(&alice, &dm, "k1", "the password is swordfish @bob")
        .await
        .expect(201);
    let id = id_of(&sent);
    app.react(&bob, &dm, &id, "😮").await.expect(201);
    app.edit(&alice, &dm, &id, "the password is hunter2 @bob")
        .await
        .expect(200);

    let tombstone = app.delete_message(&alice, &dm, &id).await.expect(200);
    let data = tombstone.data();
    assert_eq!(data["deleted"], true);
    assert!(data["deleted_at"].is_string());
    assert!(data["content"].is_null());
    assert_eq!(data["mentions"], serde_json::json!([]));
    assert_eq!(data["reactions"], serde_json::json!([]));
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["seq"], sent.data()["seq"], "it keeps its place");

    let reads = [
        app.message(&bob, &dm, &id).await.expect(200).body,
        app.history(&bob, &dm, "").await.expect(200).body,
        app.history(&bob, &dm, "before_seq=100")
            .await
            .expect(200)
            .body,
        app.get("/v1/sync/bootstrap", &bob.access)
            .await
            .expect(200)
            .body,
        app.get("/v1/conversations", &bob.access)
            .await
            .expect(200)
            .body,
        app.get(&format!("/v1/conversations/{dm}"), &bob.access)
            .await
            .expect(200)
            .body,
        Value::Array(
            app.all_events(&bob)
                .await
                .into_iter()
                .map(|(_, e)| e)
                .collect(),
        ),
        app.get(
            &format!("/v1/messages/search?q={}", encode("password")),
            &alice.access,
        )
        .await
        .expect(200)
        .body,
    ];
    for read in &reads {
        for secret in ["swordfish", "hunter2", "password"] {
            assert!(!mentions_text(read, secret), "{secret} leaked in {read}");
        }
    }
    let history = app.history(&bob, &dm, "").await.expect(200);
    assert_eq!(
        history.data()["messages"][0],
        *data,
        "the tombstone is in place"
    );
    let events = app.all_events(&bob).await;
    assert_eq!(events.last().unwrap().1["type"], "message_deleted");
    assert_eq!(events.last().unwrap().1["message"], *data);
    let summary = app
        .get(&format!("/v1/conversations/{dm}"), &bob.access)
        .await
        .expect(200);
    assert!(summary.data()["last_message_preview"].is_null());
    assert_eq!(
        summary.data()["unread_count"],
        0,
        "a tombstone is not unread"
    );
}

#[tokio::test]
async fn test_deleting_twice_answers_the_same_tombstone_and_logs_once() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "oops").await.expect(201));
    let first = app.delete_message(&alice, &dm, &id).await.expect(200);
    let second = app.delete_message(&alice, &dm, &id).await.expect(200);
    assert_eq!(first.data(), second.data());
    let kinds: Vec<_> = app
        .all_events(&alice)
        .await
        .into_iter()
        .map(|(_, e)| e["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        ["conversation_created", "new_message", "message_deleted"]
    );
}

#[tokio::test]
async fn test_only_the_author_deletes_in_a_direct_conversation() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let id = id_of(&app.send(&alice, &dm, "k1", "mine").await.expect(201));
    app.delete_message(&bob, &dm, &id)
        .await
        .expect_error(403, "forbidden");
    app.delete_message(&carol, &dm, &id)
        .await
        .expect_error(403, "forbidden");
    assert_eq!(
        app.message(&bob, &dm, &id).await.expect(200).data()["deleted"],
        false
    );
}

#[tokio::test]
async fn test_a_retry_of_a_deleted_send_answers_its_tombstone() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "gone soon").await.expect(201));
    let tombstone = app.delete_message(&alice, &dm, &id).await.expect(200);
    let retry = app.send(&alice, &dm, "k1", "gone soon").await.expect(200);
    assert_eq!(retry.data(), tombstone.data());
    app.send(&alice, &dm, "k1", "something else")
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_a_retry_of_an_edited_send_answers_the_message_as_it_is_now() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "first").await.expect(201));
    app.edit(&alice, &dm, &id, "second").await.expect(200);
    let retry = app.send(&alice, &dm, "k1", "first").await.expect(200);
    assert_eq!(retry.data()["content"], "second");
    assert_eq!(retry.data()["id"], id.as_str());
}
