//! Bootstrap and incremental changes.

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

async fn changes(
    app: &TestApp,
    who: &Session,
    cursors: &Value,
    extra: &str,
) -> crate::support::Response {
    let encoded = crate::message_support::encode(&cursors.to_string());
    app.get(
        &format!("/v1/sync/changes?after_seq_by_conversation={encoded}{extra}"),
        &who.access,
    )
    .await
}

fn seqs(entry: &Value) -> Vec<i64> {
    entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn test_bootstrap_carries_me_conversations_and_recent_messages() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k1", "one").await.expect(201);
    app.send(&bob, &dm, "k2", "two").await.expect(201);

    let boot = app.get("/v1/sync/bootstrap", &bob.access).await.expect(200);
    let data = boot.data();
    assert_eq!(data["me"]["id"], bob.user_id.as_str());
    assert_eq!(data["conversations"][0]["id"], dm.as_str());
    assert_eq!(data["conversations"][0]["last_seq"], 3);
    let recent = data["recent_messages"][&dm].as_array().unwrap();
    assert_eq!(
        recent
            .iter()
            .map(|m| m["content"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );
}

#[tokio::test]
async fn test_changes_without_cursors_return_every_log_from_the_start() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k1", "one").await.expect(201);
    let all = app.get("/v1/sync/changes", &bob.access).await.expect(200);
    let entry = &all.data()["changes"][0];
    assert_eq!(entry["conversation_id"], dm.as_str());
    assert_eq!(seqs(entry), [1, 2]);
    assert_eq!(entry["events"][0]["type"], "conversation_created");
    assert_eq!(
        entry["events"][0]["member_ids"].as_array().unwrap().len(),
        2
    );
    assert_eq!(entry["events"][1]["type"], "new_message");
    assert_eq!(entry["events"][1]["message"]["content"], "one");
    assert_eq!(all.data()["has_more"], false);
}

#[tokio::test]
async fn test_changes_after_a_cursor_return_only_what_was_missed() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k1", "seen").await.expect(201);
    app.send(&alice, &dm, "k2", "missed 1").await.expect(201);
    app.send(&alice, &dm, "k3", "missed 2").await.expect(201);
    let response = changes(&app, &bob, &json!({ dm.clone(): 2 }), "")
        .await
        .expect(200);
    let entry = &response.data()["changes"][0];
    assert_eq!(seqs(entry), [3, 4]);
    let up_to_date = changes(&app, &bob, &json!({ dm.clone(): 4 }), "")
        .await
        .expect(200);
    assert_eq!(
        up_to_date.data()["changes"].as_array().unwrap().len(),
        0,
        "nothing new, no entry"
    );
}

#[tokio::test]
async fn test_a_conversation_the_client_did_not_list_comes_from_the_start() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let known = app.direct(&alice, &bob).await;
    let new = app.direct(&carol, &bob).await;
    app.send(&carol, &new, "k", "surprise").await.expect(201);
    let response = changes(&app, &bob, &json!({ known.clone(): 1 }), "")
        .await
        .expect(200);
    let entries = response.data()["changes"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["conversation_id"], new.as_str());
    assert_eq!(seqs(&entries[0]), [1, 2]);
}

#[tokio::test]
async fn test_cursors_for_other_peoples_conversations_are_ignored() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let dm = app.direct(&alice, &bob).await;
    app.send(&alice, &dm, "k", "private").await.expect(201);
    let response = changes(&app, &eve, &json!({ dm.clone(): 0 }), "")
        .await
        .expect(200);
    assert_eq!(response.data()["changes"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn test_changes_page_with_has_more() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..4 {
        app.send(&alice, &dm, &format!("k{i}"), "x")
            .await
            .expect(201);
    }
    let first = changes(&app, &bob, &json!({ dm.clone(): 0 }), "&limit=3")
        .await
        .expect(200);
    assert_eq!(seqs(&first.data()["changes"][0]), [1, 2, 3]);
    assert_eq!(first.data()["changes"][0]["has_more"], true);
    assert_eq!(first.data()["has_more"], true);
    let second = changes(&app, &bob, &json!({ dm.clone(): 3 }), "&limit=3")
        .await
        .expect(200);
    assert_eq!(seqs(&second.data()["changes"][0]), [4, 5]);
    assert_eq!(second.data()["has_more"], false);
}

#[tokio::test]
async fn test_cursors_that_are_not_json_are_a_bad_request() {
    let app = TestApp::spawn().await;
    let (alice, _bob, _dm) = app.alice_and_bob().await;
    app.get(
        "/v1/sync/changes?after_seq_by_conversation=%7Bnope",
        &alice.access,
    )
    .await
    .expect_error(400, "bad_request");
}

#[tokio::test]
async fn test_cursors_of_the_wrong_shape_are_invalid_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    for (cursors, field) in [
        (json!([1, 2]), "after_seq_by_conversation".to_owned()),
        (json!("3"), "after_seq_by_conversation".to_owned()),
        (
            json!({ dm.clone(): 1.5 }),
            format!("after_seq_by_conversation.{dm}"),
        ),
        (
            json!({ dm.clone(): "3" }),
            format!("after_seq_by_conversation.{dm}"),
        ),
        (
            json!({ "not-a-uuid": 3 }),
            "after_seq_by_conversation.not-a-uuid".to_owned(),
        ),
        (
            json!({ dm.clone(): -1 }),
            "after_seq_by_conversation".to_owned(),
        ),
    ] {
        let response = changes(&app, &alice, &cursors, "")
            .await
            .expect_error(422, "validation_failed");
        assert!(
            response.body["error"]["details"][&field].is_string(),
            "{cursors}: {}",
            response.body
        );
    }
    changes(&app, &alice, &json!({ dm.clone(): 0 }), "&limit=0")
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_a_cursor_written_as_an_integral_float_is_an_integer() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let encoded = crate::message_support::encode(&format!("{{\"{dm}\": 1.0}}"));
    let response = app
        .get(
            &format!("/v1/sync/changes?after_seq_by_conversation={encoded}"),
            &alice.access,
        )
        .await
        .expect(200);
    assert_eq!(response.data()["changes"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn test_a_client_applying_changes_converges_to_the_server() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    // Bob's device bootstraps, goes offline while messages arrive, then catches up by changes.
    let boot = app.get("/v1/sync/bootstrap", &bob.access).await.expect(200);
    let mut cursor = boot.data()["conversations"][0]["last_seq"]
        .as_i64()
        .unwrap();
    let mut local: Vec<String> = Vec::new();
    for i in 0..7 {
        app.send(&alice, &dm, &format!("k{i}"), &format!("m{i}"))
            .await
            .expect(201);
    }
    loop {
        let page = changes(&app, &bob, &json!({ dm.clone(): cursor }), "&limit=2")
            .await
            .expect(200);
        for entry in page.data()["changes"].as_array().unwrap() {
            for event in entry["events"].as_array().unwrap() {
                let seq = event["seq"].as_i64().unwrap();
                assert_eq!(seq, cursor + 1, "events arrive in order with no gap");
                cursor = seq;
                local.push(event["message"]["content"].as_str().unwrap().to_owned());
            }
        }
        if !page.data()["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let server = app
        .get(&format!("/v1/conversations/{dm}/messages"), &bob.access)
        .await
        .expect(200);
    let server: Vec<_> = server.data()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(local, server);
}
