//! The end of an account by its owner: an export of everything the server keeps, and the
//! deletion that signs out everywhere and leaves only tombstones from "Deleted user".

use reqwest::Method;
use serde_json::{Value, json};

use crate::media_support::files_under;
use crate::message_support::MessageApi;
use crate::support::{Session, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn delete_account(app: &TestApp, who: &Session, body: Value) -> crate::support::Response {
    app.request(
        Method::DELETE,
        "/v1/users/me",
        Some(&who.access),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn test_an_export_holds_my_profile_sessions_conversations_and_messages() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    app.send(&alice, &dm, "k1", "first words").await.expect(201);
    app.send(&alice, &dm, "k2", "second words")
        .await
        .expect(201);
    app.send(&bob, &dm, "k3", "bob's words").await.expect(201);
    app.post(
        "/v1/users/me/blocks",
        &alice.access,
        json!({ "user_id": carol.user_id }),
    )
    .await
    .expect(201);

    let export = app
        .get("/v1/users/me/export", &alice.access)
        .await
        .expect(200);

    assert_eq!(
        export.headers["content-disposition"],
        "attachment; filename=\"hearth-alice-export.json\""
    );
    let data = export.data();
    assert_eq!(data["user"]["username"], "alice");
    assert!(data["exported_at"].is_string());
    let texts: Vec<&str> = data["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["first words", "second words"],
        "only mine, oldest first"
    );
    assert_eq!(data["conversations"].as_array().unwrap().len(), 1);
    assert_eq!(data["conversations"][0]["id"], dm.as_str());
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(data["sessions"][0]["current"], true);
    assert_eq!(data["blocked"][0]["user"]["username"], "carol");
    assert!(data["privacy"].is_object());
}

#[tokio::test]
async fn test_an_export_lists_my_uploads_and_not_others() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = app.alice_and_bob().await;
    for name in ["one.png", "two.png"] {
        app.upload(&alice.access, name, crate::media_support::PNG)
            .await
            .expect(201);
    }
    app.upload(&bob.access, "bobs.png", crate::media_support::PNG)
        .await
        .expect(201);
    let export = app
        .get("/v1/users/me/export", &alice.access)
        .await
        .expect(200);
    let names: Vec<&str> = export.data()["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one.png", "two.png"], "mine, oldest first");
}

#[tokio::test]
async fn test_deleting_an_account_needs_its_password() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;

    for body in [json!({}), json!({ "password": "not the password" })] {
        let refused = delete_account(&app, &alice, body)
            .await
            .expect_error(422, "validation_failed");
        assert!(
            refused.body["error"]["details"]["password"].is_string(),
            "{}",
            refused.body
        );
    }
    app.get("/v1/users/me", &alice.access).await.expect(200);
}

#[tokio::test]
async fn test_a_deleted_account_is_signed_out_everywhere_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let phone = crate::support::session_of(
        app.post_anon(
            "/v1/auth/login",
            json!({ "username": "alice", "password": PASSWORD }),
        )
        .await
        .expect(200)
        .data(),
    );

    delete_account(&app, &alice, json!({ "password": PASSWORD }))
        .await
        .expect(200);

    for session in [&alice, &phone] {
        app.get("/v1/users/me", &session.access)
            .await
            .expect_error(401, "unauthorized");
        app.post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": session.refresh }),
        )
        .await
        .expect_error(401, "unauthorized");
    }
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "alice", "password": PASSWORD }),
    )
    .await
    .expect_error(401, "unauthorized");
    // The name is free for someone new.
    let new_alice = app.register("alice").await;
    assert_ne!(new_alice.user_id, alice.user_id);
}

#[tokio::test]
async fn test_a_deleted_accounts_messages_become_tombstones_from_deleted_user() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k1", "my secret plans")
        .await
        .expect(201);
    app.send(&bob, &dm, "k2", "tell me more").await.expect(201);
    app.send(&alice, &dm, "k3", "more secret plans")
        .await
        .expect(201);
    let mut bob_ws = app.ws(&bob).await;

    delete_account(&app, &alice, json!({ "password": PASSWORD }))
        .await
        .expect(200);

    for _ in 0..2 {
        let deleted = bob_ws.next_of("message_deleted").await;
        assert!(deleted["message"]["content"].is_null());
    }
    let history = app.history(&bob, &dm, "").await.expect(200);
    let text = history.body.to_string();
    assert!(!text.contains("secret plans"), "{text}");
    assert!(text.contains("tell me more"));
    let members = app
        .get(&format!("/v1/conversations/{dm}/members"), &bob.access)
        .await
        .expect(200);
    let gone = members.data()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["id"] == alice.user_id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("alice's row is kept: {}", members.body));
    assert_eq!(gone["user"]["display_name"], "Deleted user");
    assert!(
        gone["user"]["username"]
            .as_str()
            .unwrap()
            .starts_with("deleted-")
    );
    let search = app
        .get("/v1/users/search?query=alice", &bob.access)
        .await
        .expect(200);
    assert_eq!(
        search.data()["users"],
        json!([]),
        "no one is found by the old name"
    );
}

#[tokio::test]
async fn test_deleting_an_account_deletes_its_uploaded_files() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.upload(&alice.access, "notes.txt", b"alice's private notes")
        .await
        .expect(201);
    app.upload(&bob.access, "bob.txt", b"bob's file")
        .await
        .expect(201);
    let media_dir = app.data_dir().join("media");
    assert_eq!(files_under(&media_dir).len(), 2);

    delete_account(&app, &alice, json!({ "password": PASSWORD }))
        .await
        .expect(200);

    let left = files_under(&media_dir);
    assert_eq!(left.len(), 1, "only bob's file is left: {left:?}");
    assert_eq!(std::fs::read(&left[0]).unwrap(), b"bob's file");
}
