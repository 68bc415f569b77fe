//! Reactions: one per member and emoji, validated, counted, and "reacted by me" per reader.

use serde_json::json;

use crate::message_support::{MessageApi, id_of};
use crate::support::TestApp;

#[tokio::test]
async fn test_reactions_are_counted_with_reacted_by_me_per_reader() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "launch day").await.expect(201));
    let added = app.react(&bob, &dm, &id, "🎉").await.expect(201);
    assert_eq!(
        added.data()["reactions"],
        json!([{ "emoji": "🎉", "count": 1, "reacted_by_me": true }])
    );
    app.react(&bob, &dm, &id, "🎉").await.expect(200);
    app.react(&alice, &dm, &id, "🎉").await.expect(201);
    app.react(&alice, &dm, &id, "❤").await.expect(201);

    let for_bob = app.message(&bob, &dm, &id).await.expect(200);
    assert_eq!(
        for_bob.data()["reactions"],
        json!([
            { "emoji": "🎉", "count": 2, "reacted_by_me": true },
            { "emoji": "❤️", "count": 1, "reacted_by_me": false },
        ]),
        "❤ is stored as ❤️; emoji in the order first used"
    );
    let history = app.history(&alice, &dm, "").await.expect(200);
    assert_eq!(
        history.data()["messages"][0]["reactions"][1]["reacted_by_me"],
        true
    );

    let removed = app.unreact(&bob, &dm, &id, "🎉").await.expect(200);
    assert_eq!(
        removed.data()["reactions"][0],
        json!({ "emoji": "🎉", "count": 1, "reacted_by_me": false })
    );
    app.unreact(&bob, &dm, &id, "🎉").await.expect(200);
    app.unreact(&alice, &dm, &id, "❤️").await.expect(200);

    let events = app.all_events(&bob).await;
    let reactions: Vec<_> = events
        .iter()
        .filter(|(_, e)| e["type"].as_str().unwrap().starts_with("reaction_"))
        .map(|(_, e)| (e["type"].clone(), e["emoji"].clone(), e["actor_id"].clone()))
        .collect();
    assert_eq!(
        reactions,
        [
            (json!("reaction_added"), json!("🎉"), json!(bob.user_id)),
            (json!("reaction_added"), json!("🎉"), json!(alice.user_id)),
            (json!("reaction_added"), json!("❤️"), json!(alice.user_id)),
            (json!("reaction_removed"), json!("🎉"), json!(bob.user_id)),
            (json!("reaction_removed"), json!("❤️"), json!(alice.user_id)),
        ]
    );
    let (_, last) = events.last().unwrap();
    assert_eq!(
        last["message"]["reactions"],
        json!([{ "emoji": "🎉", "count": 1, "reacted_by_me": false }]),
        "the event's message is as it is now, as bob sees it"
    );
}

#[tokio::test]
async fn test_only_emoji_are_reactions() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    for bad in ["a", "lol", "👍👍", ":thumbsup:", "%20"] {
        let answer = app
            .react(&alice, &dm, &id, bad)
            .await
            .expect_error(422, "validation_failed");
        assert!(answer.body["error"]["details"]["emoji"].is_string());
    }
    app.react(&alice, &dm, &id, "👍🏽").await.expect(201);
    app.react(&alice, &dm, &id, "🏳️‍🌈").await.expect(201);
}

#[tokio::test]
async fn test_reactions_need_a_live_message_in_a_conversation_of_mine() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let id = id_of(&app.send(&alice, &dm, "k1", "hi").await.expect(201));
    app.react(&carol, &dm, &id, "👍")
        .await
        .expect_error(403, "forbidden");
    app.react(&bob, &dm, &uuid::Uuid::now_v7().to_string(), "👍")
        .await
        .expect_error(404, "not_found");
    app.react(&bob, &dm, "not-an-id", "👍")
        .await
        .expect_error(404, "not_found");
    app.delete_message(&alice, &dm, &id).await.expect(200);
    app.react(&bob, &dm, &id, "👍")
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_a_message_takes_at_most_twenty_different_emoji() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let id = id_of(&app.send(&alice, &dm, "k1", "vote").await.expect(201));
    let emoji = [
        "😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣", "😊", "😇", "🙂", "🙃", "😉", "😌", "😍",
        "🥰", "😘", "😗", "😙", "😚", "😋",
    ];
    for e in &emoji[..20] {
        app.react(&bob, &dm, &id, e).await.expect(201);
    }
    app.react(&bob, &dm, &id, emoji[20])
        .await
        .expect_error(409, "conflict");
    app.react(&alice, &dm, &id, emoji[0]).await.expect(201);
}
