//! Malformed frames and refused actions get an `error` event; the connection stays usable.

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::TestApp;

#[tokio::test]
async fn test_a_frame_that_is_not_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    ws.send_raw(Message::text("hello?")).await;
    let error = ws.next_of("error").await;
    assert_eq!(error["code"], "bad_request");
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong",
        "still usable"
    );
}

#[tokio::test]
async fn test_a_binary_frame_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    ws.send_raw(Message::binary(vec![1u8, 2, 3])).await;
    assert_eq!(ws.next_of("error").await["code"], "bad_request");
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong"
    );
}

#[tokio::test]
async fn test_an_unknown_action_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    let error = ws.request(json!({ "action": "teleport" })).await;
    assert_eq!(error["code"], "bad_request");
    assert!(error["message"].as_str().unwrap().contains("teleport"));
}

#[tokio::test]
async fn test_missing_and_mistyped_fields_name_the_field() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    let missing = ws
        .request(json!({ "action": "send_message", "conversation_id": dm }))
        .await;
    assert_eq!(missing["code"], "validation_failed");
    assert!(missing["details"]["content"].is_string(), "{missing}");
    let mistyped = ws
        .request(json!({ "action": "mark_read", "conversation_id": dm, "seq": "three" }))
        .await;
    assert_eq!(mistyped["code"], "validation_failed");
    assert!(mistyped["details"]["seq"].is_string(), "{mistyped}");
    let no_action = ws.request(json!({ "conversation_id": dm })).await;
    assert_eq!(no_action["code"], "validation_failed");
    let invalid = ws.request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k", "content": "" })).await;
    assert_eq!(invalid["code"], "validation_failed");
    assert!(invalid["details"]["content"].is_string());
}

#[tokio::test]
async fn test_an_oversized_action_is_refused_and_the_connection_stays_usable() {
    let app = TestApp::spawn_with(|c| {
        c.realtime.max_action_bytes = 1024;
        c.realtime.max_frame_bytes = 64 * 1024;
    })
    .await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    ws.send(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k", "content": "x".repeat(2000) })).await;
    assert_eq!(ws.next_of("error").await["code"], "payload_too_large");
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong"
    );
}

#[tokio::test]
async fn test_outsiders_and_unknown_conversations_are_refused() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let eve = app.register("eve").await;
    let mut ws = app.ws(&eve).await;
    let send = ws.request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k", "content": "hi" })).await;
    assert_eq!(send["code"], "forbidden");
    let sync = ws
        .request(json!({ "action": "sync", "conversation_id": dm }))
        .await;
    assert_eq!(sync["code"], "forbidden");
    let read = ws
        .request(json!({ "action": "mark_read", "conversation_id": "not-an-id", "seq": 1 }))
        .await;
    assert_eq!(read["code"], "not_found");
}

#[tokio::test]
async fn test_sending_too_fast_is_an_error_event_not_a_disconnect() {
    let app = TestApp::spawn_with(|c| c.limits.sends_per_user_per_minute = 2).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    for n in 0..2 {
        let ack = ws.request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": format!("k{n}"), "content": "hi" })).await;
        assert_eq!(ack["type"], "message_ack");
    }
    let limited = ws.request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k2", "content": "hi" })).await;
    assert_eq!(limited["code"], "rate_limited");
    assert!(
        limited["details"]["retry_after_ms"]
            .as_u64()
            .is_some_and(|ms| ms > 0)
    );
    assert_eq!(
        ws.request(json!({ "action": "ping" })).await["type"],
        "pong"
    );
}
