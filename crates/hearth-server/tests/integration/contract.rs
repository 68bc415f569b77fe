//! The request contract of REST `/v1`: a body says exactly what the server reads. Unknown
//! fields are refused naming them (a misspelt setting is never a silent success), seed 001's
//! names are accepted where Hearth renamed a field, bodies are objects, integers are JSON
//! integers however written, and a malformed user id in a path names nobody.

use serde_json::{Value, json};

use crate::support::{Response, Session, TestApp};

/// The problem `response`'s details give for `field`.
fn problem<'r>(response: &'r Response, field: &str) -> &'r Value {
    &response.body["error"]["details"][field]
}

async fn visibility(app: &TestApp, who: &Session, group: &str) -> Value {
    app.conversation(who, group).await["history_visibility"].clone()
}

#[tokio::test]
async fn test_a_misspelt_setting_is_refused_naming_it_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let group = app.group(&owner, &[]).await;
    let response = app
        .patch(
            &format!("/v1/conversations/{group}"),
            &owner.access,
            json!({ "history_visibilty": "none" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(
        problem(&response, "history_visibilty").is_string(),
        "{}",
        response.body
    );
    assert_eq!(visibility(&app, &owner, &group).await, "all");
}

#[tokio::test]
async fn test_seed_001s_name_for_history_visibility_changes_it() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let group = app.group(&owner, &[]).await;
    let changed = app
        .patch(
            &format!("/v1/conversations/{group}"),
            &owner.access,
            json!({ "message_history_visibility": "member_join_date" }),
        )
        .await
        .expect(200);
    assert_eq!(changed.data()["history_visibility"], "member_join_date");
    assert_eq!(visibility(&app, &owner, &group).await, "member_join_date");
}

#[tokio::test]
async fn test_seed_001s_name_for_history_visibility_works_at_creation() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let created = app
        .post(
            "/v1/conversations",
            &owner.access,
            json!({ "type": "group", "title": "g", "message_history_visibility": "none" }),
        )
        .await
        .expect(201);
    assert_eq!(created.data()["history_visibility"], "none");
}

#[tokio::test]
async fn test_both_names_for_history_visibility_at_once_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let group = app.group(&owner, &[]).await;
    app.patch(
        &format!("/v1/conversations/{group}"),
        &owner.access,
        json!({ "history_visibility": "none", "message_history_visibility": "all" }),
    )
    .await
    .expect_error(422, "validation_failed");
    assert_eq!(visibility(&app, &owner, &group).await, "all");
}

#[tokio::test]
async fn test_an_unknown_field_is_refused_on_every_kind_of_body() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let register = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "carol", "password": "long enough", "nickname": "c" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(problem(&register, "nickname").is_string());
    let send = app
        .post(
            &format!("/v1/conversations/{dm}/messages"),
            &alice.access,
            json!({ "client_message_id": "k", "content": "hi", "silent": true }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(problem(&send, "silent").is_string());
    let privacy = app
        .put(
            "/v1/users/me/privacy",
            &alice.access,
            json!({ "direct_message": "nobody" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(problem(&privacy, "direct_message").is_string());
    assert_eq!(app.all_messages(&alice, &dm).await.len(), 0, "nothing sent");
}

#[tokio::test]
async fn test_an_unknown_nested_field_is_named_by_its_path() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let group = app.group(&owner, &[&bob]).await;
    let response = app
        .update_member(
            &owner,
            &group,
            &bob,
            json!({ "permissions": { "can_send_message": false } }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(
        problem(&response, "permissions.can_send_message").is_string(),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn test_a_body_that_is_not_an_object_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    for body in [json!([null, null]), json!("everyone"), json!(null)] {
        let response = app
            .put("/v1/users/me/privacy", &alice.access, body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert!(problem(&response, "body").is_string(), "{body}");
    }
}

#[tokio::test]
async fn test_a_seq_written_as_an_integral_float_is_an_integer() {
    let app = TestApp::spawn().await;
    let (_alice, bob, dm) = app.alice_and_bob().await;
    let marker = app
        .post(
            &format!("/v1/conversations/{dm}/read"),
            &bob.access,
            json!({ "seq": 1.0 }),
        )
        .await
        .expect(200);
    assert_eq!(marker.data()["last_read_seq"], 1);
    app.post(
        &format!("/v1/conversations/{dm}/read"),
        &bob.access,
        json!({ "seq": 1.5 }),
    )
    .await
    .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_a_malformed_user_id_in_a_path_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let group = app.group(&owner, &[]).await;
    app.delete("/v1/users/me/blocks/not-an-id", &owner.access)
        .await
        .expect_error(404, "not_found");
    app.delete(
        &format!("/v1/conversations/{group}/members/not-an-id"),
        &owner.access,
    )
    .await
    .expect_error(404, "not_found");
    app.post(
        &format!("/v1/conversations/{group}/join-requests/not-an-id/approve"),
        &owner.access,
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_an_integer_parameter_that_is_empty_or_signed_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    for limit in ["", "+5", "5.0"] {
        let response = app
            .get(
                &format!(
                    "/v1/users/search?query=a&limit={}",
                    limit.replace('+', "%2B")
                ),
                &alice.access,
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(problem(&response, "limit").is_string(), "{limit:?}");
    }
}
