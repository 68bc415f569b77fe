//! `/v1/ws`: authentication, and the close codes of a connection that cannot stay.

use serde_json::json;

use crate::support::{TestApp, forge_token, unix_now};

#[tokio::test]
async fn test_a_query_token_connects_and_the_first_event_is_ready() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws_connect(&format!("?token={}", alice.access)).await;
    let ready = ws.next().await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["user"]["id"], alice.user_id.as_str());
    assert!(ready["heartbeat_interval_ms"].as_u64().is_some());
}

#[tokio::test]
async fn test_an_auth_action_as_first_frame_connects() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws_connect("").await;
    ws.send(json!({ "action": "auth", "token": alice.access }))
        .await;
    assert_eq!(ws.next().await["type"], "ready");
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong"
    );
}

#[tokio::test]
async fn test_a_bad_token_closes_with_1008_and_a_reason() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws_connect("?token=not-a-token").await;
    let (code, reason) = ws.closed().await;
    assert_eq!(code, 1008);
    assert_eq!(reason, "invalid access token");
}

#[tokio::test]
async fn test_an_expired_token_closes_with_1008() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let expired = forge_token(&app.signing_secret().await, &alice.user_id, unix_now() - 60);
    let mut ws = app.ws_connect(&format!("?token={expired}")).await;
    assert_eq!(ws.closed().await, (1008, "access token expired".to_owned()));
}

#[tokio::test]
async fn test_a_bad_auth_frame_closes_with_1008() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws_connect("").await;
    ws.send(json!({ "action": "auth", "token": "forged" }))
        .await;
    assert_eq!(ws.closed().await.0, 1008);
}

#[tokio::test]
async fn test_an_action_before_auth_closes_with_1008() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws_connect("").await;
    ws.send(json!({ "action": "ping" })).await;
    let (code, reason) = ws.closed().await;
    assert_eq!(code, 1008);
    assert!(reason.contains("authenticate first"), "{reason}");
}

#[tokio::test]
async fn test_silence_instead_of_auth_closes_after_the_timeout() {
    let app = TestApp::spawn_with(|c| c.realtime.auth_timeout_secs = 1).await;
    let mut ws = app.ws_connect("").await;
    assert_eq!(
        ws.closed().await,
        (1008, "authentication timed out".to_owned())
    );
}

#[tokio::test]
async fn test_a_token_expiring_during_the_session_gets_an_error_then_a_close() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let short = forge_token(&app.signing_secret().await, &alice.user_id, unix_now() + 2);
    let mut ws = app.ws_connect(&format!("?token={short}")).await;
    assert_eq!(ws.next().await["type"], "ready");
    let error = ws.next_of("error").await;
    assert_eq!(error["code"], "unauthorized");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("re-authenticate")
    );
    assert_eq!(ws.closed().await.0, 1008);
}

#[tokio::test]
async fn test_renewing_the_token_keeps_the_session_open() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let short = forge_token(&app.signing_secret().await, &alice.user_id, unix_now() + 2);
    let mut ws = app.ws_connect(&format!("?token={short}")).await;
    assert_eq!(ws.next().await["type"], "ready");
    let renewed = ws
        .request(json!({ "action": "auth", "token": alice.access }))
        .await;
    assert_eq!(renewed["type"], "authenticated");
    let other = ws
        .request(json!({ "action": "auth", "token": bob.access }))
        .await;
    assert_eq!(
        other["code"], "forbidden",
        "a token of another user is refused"
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong",
        "still open after the old expiry"
    );
}

#[tokio::test]
async fn test_an_oversized_frame_closes_with_1009() {
    let app = TestApp::spawn_with(|c| c.realtime.max_frame_bytes = 4096).await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    ws.send(json!({ "action": "ping", "padding": "x".repeat(10_000) }))
        .await;
    assert_eq!(ws.closed().await.0, 1009);
}
