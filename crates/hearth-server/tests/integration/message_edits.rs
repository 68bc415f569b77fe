//! Editing messages: author only, within the edit window, counted, logged, mentions redone.

use crate::message_support::{MessageApi, id_of};
use crate::support::TestApp;

#[tokio::test]
async fn test_the_author_edits_a_message_and_the_edit_is_counted_and_logged() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app.send(&alice, &dm, "k1", "helo").await.expect(201);
    let id = id_of(&sent);
    assert_eq!(sent.data()["edit_count"], 0);
    assert!(sent.data()["edited_at"].is_null());

    let edited = app.edit(&alice, &dm, &id, "hello").await.expect(200);
    let message = edited.data();
    assert_eq!(message["content"], "hello");
    assert_eq!(message["edit_count"], 1);
    assert!(message["edited_at"].is_string());
    assert_eq!(
        message["seq"],
        sent.data()["seq"],
        "a message keeps its seq"
    );
    assert_eq!(
        app.message(&bob, &dm, &id).await.expect(200).data(),
        message,
        "everyone reads the edited text"
    );

    let again = app.edit(&alice, &dm, &id, "hello!").await.expect(200);
    assert_eq!(again.data()["edit_count"], 2);
    let events = app.all_events(&bob).await;
    let kinds: Vec<_> = events.iter().map(|(_, e)| e["type"].clone()).collect();
    assert_eq!(
        kinds,
        [
            "conversation_created",
            "new_message",
            "message_updated",
            "message_updated"
        ]
    );
    let (_, last) = &events[3];
    assert_eq!(last["seq"], 4, "each edit takes the next seq");
    assert_eq!(last["actor_id"], alice.user_id.as_str());
    assert_eq!(last["message"]["content"], "hello!");
    assert_eq!(
        events[1].1["message"]["content"], "hello!",
        "events carry the message as it is now"
    );
}

#[tokio::test]
async fn test_an_edit_to_the_same_text_changes_nothing() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "same").await.expect(201));
    let retry = app.edit(&alice, &dm, &id, "same").await.expect(200);
    assert_eq!(retry.data()["edit_count"], 0);
    assert_eq!(app.all_events(&alice).await.len(), 2, "no event logged");
}

#[tokio::test]
async fn test_only_the_author_edits_and_only_members_see() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let id = id_of(&app.send(&alice, &dm, "k1", "mine").await.expect(201));
    app.edit(&bob, &dm, &id, "yours now")
        .await
        .expect_error(403, "forbidden");
    app.edit(&carol, &dm, &id, "hi")
        .await
        .expect_error(403, "forbidden");
    app.message(&carol, &dm, &id)
        .await
        .expect_error(403, "forbidden");
    assert_eq!(
        app.message(&bob, &dm, &id).await.expect(200).data()["content"],
        "mine"
    );
}

#[tokio::test]
async fn test_unknown_and_malformed_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    let unknown = uuid::Uuid::now_v7().to_string();
    for (conversation, message) in [
        (dm.as_str(), unknown.as_str()),
        (dm.as_str(), "not-a-uuid"),
        (unknown.as_str(), id.as_str()),
        ("nope", id.as_str()),
    ] {
        app.edit(&alice, conversation, message, "x")
            .await
            .expect_error(404, "not_found");
        app.message(&alice, conversation, message)
            .await
            .expect_error(404, "not_found");
        app.delete_message(&alice, conversation, message)
            .await
            .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn test_an_edit_is_validated_like_a_send() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    let empty = app
        .edit(&alice, &dm, &id, "   ")
        .await
        .expect_error(422, "validation_failed");
    assert!(empty.body["error"]["details"]["content"].is_string());
    app.edit(&alice, &dm, &id, &"x".repeat(4_001))
        .await
        .expect_error(422, "validation_failed");
    let missing = app
        .request(
            reqwest::Method::PATCH,
            &format!("/v1/conversations/{dm}/messages/{id}"),
            Some(&alice.access),
            Some(serde_json::json!({})),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(missing.body["error"]["details"]["content"].is_string());
}

#[tokio::test]
async fn test_a_deleted_message_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    app.delete_message(&alice, &dm, &id).await.expect(200);
    app.edit(&alice, &dm, &id, "back")
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_edits_stop_when_the_window_closes() {
    let app = TestApp::spawn_with(|config| config.messages.edit_window_secs = 1).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    app.edit(&alice, &dm, &id, "quick fix").await.expect(200);
    // The window is one second; nothing but time can close it.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let late = app
        .edit(&alice, &dm, &id, "too late")
        .await
        .expect_error(403, "forbidden");
    assert!(
        late.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no longer")),
        "{}",
        late.body
    );
    app.delete_message(&alice, &dm, &id).await.expect(200);
}

#[tokio::test]
async fn test_mentions_are_resolved_to_members_on_send_and_edit() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let _carol = app.register("carol").await;
    let sent = app
        .send(
            &alice,
            &dm,
            "k1",
            "@Bob and @carol, mail bob@example.org @nobody @alice",
        )
        .await
        .expect(201);
    assert_eq!(
        sent.data()["mentions"],
        serde_json::json!([bob.user_id, alice.user_id]),
        "members only (carol is not in this conversation), in order"
    );
    let edited = app
        .edit(&alice, &dm, &id_of(&sent), "never mind")
        .await
        .expect(200);
    assert_eq!(edited.data()["mentions"], serde_json::json!([]));
    let again = app
        .edit(&alice, &dm, &id_of(&sent), "thanks @bob.")
        .await
        .expect(200);
    assert_eq!(again.data()["mentions"], serde_json::json!([bob.user_id]));
}
