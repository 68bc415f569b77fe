//! The envelope on every error path: credentials, routes, methods, bodies, ids.

use reqwest::Method;
use serde_json::json;

use crate::support::{TestApp, forge_token, read, unix_now};

#[tokio::test]
async fn test_a_missing_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/v1/users/me", None, None)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_a_malformed_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    app.get("/v1/users/me", "not.a.jwt")
        .await
        .expect_error(401, "unauthorized");
    let response = app
        .client
        .get(app.url("/v1/users/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    read(response).await.expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_a_token_with_a_wrong_signature_is_unauthorized() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let forged = forge_token(&[7u8; 64], &alice.user_id, unix_now() + 600);
    let response = app
        .get("/v1/users/me", &forged)
        .await
        .expect_error(401, "unauthorized");
    assert!(
        response.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signature")
    );
}

#[tokio::test]
async fn test_an_expired_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let expired = forge_token(
        &app.signing_secret().await,
        &alice.user_id,
        unix_now() - 120,
    );
    let response = app
        .get("/v1/users/me", &expired)
        .await
        .expect_error(401, "unauthorized");
    assert!(
        response.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // The same secret with a future expiry is accepted: the test forges correctly.
    let valid = forge_token(
        &app.signing_secret().await,
        &alice.user_id,
        unix_now() + 120,
    );
    app.get("/v1/users/me", &valid).await.expect(200);
}

#[tokio::test]
async fn test_an_unknown_route_is_not_found() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/v1/nothing-here", None, None)
        .await
        .expect_error(404, "not_found");
    app.request(Method::GET, "/nope.txt", None, None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_a_wrong_method_is_method_not_allowed() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/v1/auth/login", None, None)
        .await
        .expect_error(405, "method_not_allowed");
    app.request(Method::DELETE, "/v1/conversations", None, None)
        .await
        .expect_error(405, "method_not_allowed");
}

#[tokio::test]
async fn test_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    read(response).await.expect_error(400, "bad_request");
}

#[tokio::test]
async fn test_a_body_that_is_not_json_is_unsupported_media_type() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("username=alice")
        .send()
        .await
        .unwrap();
    read(response)
        .await
        .expect_error(415, "unsupported_media_type");
}

#[tokio::test]
async fn test_a_missing_or_mistyped_field_names_the_field() {
    let app = TestApp::spawn().await;
    let missing = app
        .post_anon("/v1/auth/login", json!({ "username": "alice" }))
        .await
        .expect_error(422, "validation_failed");
    assert!(
        missing.body["error"]["details"]["password"].is_string(),
        "{}",
        missing.body
    );
    let alice = app.register("alice").await;
    let mistyped = app
        .post(
            "/v1/conversations/direct",
            &alice.access,
            json!({ "other_user_id": 42 }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(
        mistyped.body["error"]["details"]["other_user_id"].is_string(),
        "{}",
        mistyped.body
    );
}

#[tokio::test]
async fn test_an_oversized_body_is_payload_too_large() {
    let app = TestApp::spawn_with(|c| c.limits.max_body_bytes = 4096).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let response = app.send(&alice, &dm, "big", &"x".repeat(5000)).await;
    response.expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn test_a_malformed_id_in_a_path_is_not_found() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.get("/v1/conversations/not-a-uuid/messages", &alice.access)
        .await
        .expect_error(404, "not_found");
    app.get("/v1/conversations/12345", &alice.access)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let ok = app.request(Method::GET, "/healthz", None, None).await;
    let failed = app.request(Method::GET, "/v1/users/me", None, None).await;
    for response in [&ok, &failed] {
        let id = response.headers["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "request id {id}");
    }
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        given.headers()["x-request-id"],
        "trace-me-123",
        "a caller's request id is kept"
    );
}
