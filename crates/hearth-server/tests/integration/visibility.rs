//! History visibility on every read path: messages, single message, threads, reactions, sync
//! (bootstrap and changes), search and socket delivery.

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

/// A group with `visibility`, where the owner sent "early one" and "early two" before carol
/// was added, and "late one" after. Returns (owner, carol, group, ids of the three).
async fn joined_late(app: &TestApp, visibility: &str) -> (Session, Session, String, Vec<String>) {
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let group = app.group_with_history(&owner, visibility).await;
    let mut ids = Vec::new();
    for (key, text) in [("e1", "early one hello"), ("e2", "early two hello")] {
        let sent = app.send(&owner, &group, key, text).await.expect(201);
        ids.push(sent.data()["id"].as_str().unwrap().to_owned());
    }
    app.add_member(&owner, &group, &carol).await.expect(201);
    let sent = app
        .send(&owner, &group, "l1", "late one hello")
        .await
        .expect(201);
    ids.push(sent.data()["id"].as_str().unwrap().to_owned());
    (owner, carol, group, ids)
}

fn contents(messages: &[Value]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("<none>"))
        .collect()
}

#[tokio::test]
async fn test_a_late_member_sees_everything_when_visibility_is_all() {
    let app = TestApp::spawn().await;
    let (_, carol, group, _) = joined_late(&app, "all").await;
    let read = app.all_messages(&carol, &group).await;
    assert_eq!(
        contents(&read),
        ["early one hello", "early two hello", "late one hello"]
    );
}

#[tokio::test]
async fn test_a_late_member_sees_nothing_from_before_on_any_read_path() {
    let app = TestApp::spawn().await;
    let (_, carol, group, ids) = joined_late(&app, "member_join_date").await;
    let early = &ids[0];

    let read = app.all_messages(&carol, &group).await;
    assert_eq!(contents(&read), ["late one hello"], "messages list");
    let back = app
        .get(
            &format!("/v1/conversations/{group}/messages?before_seq=100"),
            &carol.access,
        )
        .await
        .expect(200);
    assert_eq!(
        contents(back.data()["messages"].as_array().unwrap()),
        ["late one hello"]
    );

    app.get(
        &format!("/v1/conversations/{group}/messages/{early}"),
        &carol.access,
    )
    .await
    .expect_error(404, "not_found");
    app.get(
        &format!("/v1/conversations/{group}/messages/{early}/thread"),
        &carol.access,
    )
    .await
    .expect_error(404, "not_found");
    app.request(
        reqwest::Method::PUT,
        &format!("/v1/conversations/{group}/messages/{early}/reactions/%F0%9F%91%8D"),
        Some(&carol.access),
        None,
    )
    .await
    .expect_error(404, "not_found");

    let found = app
        .get(
            &format!("/v1/conversations/{group}/messages/search?q=hello"),
            &carol.access,
        )
        .await
        .expect(200);
    let hits: Vec<&str> = found.data()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(hits, ["late one hello"], "search in the conversation");
    let everywhere = app
        .get("/v1/messages/search?q=early", &carol.access)
        .await
        .expect(200);
    assert_eq!(everywhere.data()["results"], json!([]), "search everywhere");

    let bootstrap = app
        .get("/v1/sync/bootstrap", &carol.access)
        .await
        .expect(200);
    let recent = bootstrap.data()["recent_messages"][group.as_str()]
        .as_array()
        .unwrap();
    assert_eq!(contents(recent), ["late one hello"], "bootstrap");
    let summary = &bootstrap.data()["conversations"][0];
    assert_eq!(
        summary["unread_count"], 1,
        "only what came after the join is unread"
    );

    let changes = app.get("/v1/sync/changes", &carol.access).await.expect(200);
    let events = changes.data()["changes"][0]["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["member_joined", "new_message"],
        "changes start at the join"
    );
}

#[tokio::test]
async fn test_changes_to_hidden_messages_do_not_reach_a_late_member() {
    let app = TestApp::spawn().await;
    let (owner, carol, group, ids) = joined_late(&app, "member_join_date").await;
    let mut device = app.ws(&carol).await;
    app.patch(
        &format!("/v1/conversations/{group}/messages/{}", ids[0]),
        &owner.access,
        json!({ "content": "early one, edited" }),
    )
    .await
    .expect(200);
    app.send(&owner, &group, "l2", "late two").await.expect(201);
    // The first log event to arrive is the new message: the edit of a message from before the
    // join was not delivered.
    let event = device
        .next_of_any(&["message_updated", "new_message"])
        .await;
    assert_eq!(event["type"], "new_message", "{event}");
    assert_eq!(event["message"]["content"], "late two");

    let changes = app.get("/v1/sync/changes", &carol.access).await.expect(200);
    let events = changes.data()["changes"][0]["events"].as_array().unwrap();
    assert!(
        events.iter().all(|e| e["type"] != "message_updated"),
        "{events:?}"
    );
}

#[tokio::test]
async fn test_none_restarts_at_each_join_while_member_join_date_keeps_the_first() {
    for (visibility, expected) in [
        ("none", vec!["third"]),
        ("member_join_date", vec!["first", "second", "third"]),
    ] {
        let app = TestApp::spawn().await;
        let owner = app.register("owner").await;
        let carol = app.register("carol").await;
        let created = app
            .post(
                "/v1/conversations",
                &owner.access,
                json!({ "type": "room", "title": "the room", "history_visibility": visibility }),
            )
            .await
            .expect(201);
        let room = created.data()["id"].as_str().unwrap().to_owned();
        app.join(&carol, &room).await.expect(200);
        app.send(&owner, &room, "k1", "first").await.expect(201);
        app.leave(&carol, &room).await.expect(200);
        app.send(&owner, &room, "k2", "second").await.expect(201);
        app.join(&carol, &room).await.expect(200);
        app.send(&owner, &room, "k3", "third").await.expect(201);
        let read = app.all_messages(&carol, &room).await;
        assert_eq!(contents(&read), expected, "{visibility}");
    }
}
