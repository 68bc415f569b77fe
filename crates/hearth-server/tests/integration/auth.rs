//! Register, login, refresh rotation and reuse detection, logout, rate limits.

use serde_json::json;

use crate::support::{TestApp, session_of};

#[tokio::test]
async fn test_register_returns_the_user_and_a_token_pair() {
    let app = TestApp::spawn().await;
    let response = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "Alice", "display_name": "Alice A.", "password": "correct horse" }),
        )
        .await
        .expect(201);
    let data = response.data();
    assert_eq!(
        data["user"]["username"], "alice",
        "usernames are folded to lower case"
    );
    assert_eq!(data["user"]["display_name"], "Alice A.");
    assert!(
        data["user"]["id"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
    );
    assert_eq!(data["tokens"]["token_type"], "bearer");
    assert_eq!(data["tokens"]["expires_in"], 900);
    assert!(data["user"].get("password_hash").is_none());
    let me = app
        .get(
            "/v1/users/me",
            data["tokens"]["access_token"].as_str().unwrap(),
        )
        .await
        .expect(200);
    assert_eq!(me.data()["username"], "alice");
}

#[tokio::test]
async fn test_register_refuses_a_taken_username_in_any_case() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    app.post_anon(
        "/v1/auth/register",
        json!({ "username": "ALICE", "password": "another password" }),
    )
    .await
    .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_register_names_every_invalid_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "a!", "password": "short", "email": "nope" }),
        )
        .await
        .expect_error(422, "validation_failed");
    let details = &response.body["error"]["details"];
    assert!(details["username"].is_string(), "{details}");
    assert!(details["password"].is_string(), "{details}");
    assert!(details["email"].is_string(), "{details}");
}

#[tokio::test]
async fn test_register_checks_username_and_password_lengths() {
    let app = TestApp::spawn().await;
    for (username, password) in [
        ("ab", "long enough"),
        (&*"a".repeat(33), "long enough"),
        ("carol", &*"p".repeat(129)),
    ] {
        app.post_anon(
            "/v1/auth/register",
            json!({ "username": username, "password": password }),
        )
        .await
        .expect_error(422, "validation_failed");
    }
    app.post_anon(
        "/v1/auth/register",
        json!({ "username": "a".repeat(32), "password": "p".repeat(128) }),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn test_login_with_the_right_password_starts_a_session() {
    let app = TestApp::spawn().await;
    let registered = app.register("alice").await;
    let response = app
        .post_anon(
            "/v1/auth/login",
            json!({ "username": "Alice", "password": "correct horse battery" }),
        )
        .await
        .expect(200);
    let session = session_of(response.data());
    assert_eq!(session.user_id, registered.user_id);
    assert_ne!(
        session.refresh, registered.refresh,
        "each login is a new session"
    );
}

#[tokio::test]
async fn test_login_refuses_a_wrong_password_and_an_unknown_user_alike() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let wrong = app
        .post_anon(
            "/v1/auth/login",
            json!({ "username": "alice", "password": "wrong password" }),
        )
        .await
        .expect_error(401, "unauthorized");
    let unknown = app
        .post_anon(
            "/v1/auth/login",
            json!({ "username": "nobody", "password": "wrong password" }),
        )
        .await
        .expect_error(401, "unauthorized");
    assert_eq!(
        wrong.body, unknown.body,
        "the answer must not reveal which usernames exist"
    );
}

#[tokio::test]
async fn test_refresh_rotates_the_pair() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let response = app
        .post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": alice.refresh }),
        )
        .await
        .expect(200);
    let tokens = &response.data()["tokens"];
    let new_refresh = tokens["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, alice.refresh);
    assert_eq!(tokens["token_type"], "bearer");
    app.get("/v1/users/me", tokens["access_token"].as_str().unwrap())
        .await
        .expect(200);
    app.post_anon("/v1/auth/refresh", json!({ "refresh_token": new_refresh }))
        .await
        .expect(200);
}

#[tokio::test]
async fn test_refresh_retry_within_the_grace_window_gets_a_working_pair() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let first = app
        .post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": alice.refresh }),
        )
        .await
        .expect(200);
    // The client lost the first answer and retries with the same token.
    let retry = app
        .post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": alice.refresh }),
        )
        .await
        .expect(200);
    for answer in [&first, &retry] {
        let next = answer.data()["tokens"]["refresh_token"].as_str().unwrap();
        app.post_anon("/v1/auth/refresh", json!({ "refresh_token": next }))
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn test_reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = TestApp::spawn_with(|c| c.auth.refresh_reuse_grace_secs = 0).await;
    let alice = app.register("alice").await;
    let rotated = app
        .post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": alice.refresh }),
        )
        .await
        .expect(200);
    let newest = rotated.data()["tokens"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect_error(401, "unauthorized");
    app.post_anon("/v1/auth/refresh", json!({ "refresh_token": newest }))
        .await
        .expect_error(401, "unauthorized");
    // Other sessions of the same user are untouched.
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "alice", "password": "correct horse battery" }),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn test_refresh_with_an_unknown_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": "not-a-token" }),
    )
    .await
    .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let response = app
        .post_anon("/v1/auth/logout", json!({ "refresh_token": alice.refresh }))
        .await
        .expect(200);
    assert_eq!(response.data()["ok"], true);
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect_error(401, "unauthorized");
    app.post_anon("/v1/auth/logout", json!({ "refresh_token": "unknown" }))
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_auth_attempts_are_rate_limited_per_client_ip() {
    let app = TestApp::spawn_with(|c| c.limits.auth_per_ip_per_minute = 3).await;
    for _ in 0..3 {
        app.post_anon(
            "/v1/auth/login",
            json!({ "username": "nobody", "password": "whatever1" }),
        )
        .await
        .expect(401);
    }
    let limited = app
        .post_anon(
            "/v1/auth/login",
            json!({ "username": "other", "password": "whatever1" }),
        )
        .await
        .expect_error(429, "rate_limited");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
}

#[tokio::test]
async fn test_auth_attempts_are_rate_limited_per_username() {
    let app = TestApp::spawn_with(|c| c.limits.auth_per_username_per_minute = 2).await;
    app.register("alice").await;
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "alice", "password": "wrong one!" }),
    )
    .await
    .expect(401);
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "alice", "password": "wrong one!" }),
    )
    .await
    .expect_error(429, "rate_limited");
    // Another username from the same address is still allowed.
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "bob", "password": "wrong one!" }),
    )
    .await
    .expect(401);
}
