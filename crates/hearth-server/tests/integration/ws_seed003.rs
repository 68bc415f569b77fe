//! A stock seed-003 client works unchanged on `/v1/ws`: it sends `room_id` and no
//! `client_message_id`, and reads `room_id` and `user_id` from the messages in events.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_a_send_without_a_client_message_id_is_stored_once_under_a_server_made_key() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    let ack = ws
        .request(json!({ "action": "send_message", "room_id": dm, "content": "from seed 003" }))
        .await;
    assert_eq!(ack["type"], "message_ack", "{ack}");
    let key = ack["client_message_id"].as_str().expect("a key was made");
    assert!(!key.is_empty());
    assert_eq!(ack["message"]["client_message_id"], key);
    let second = ws
        .request(json!({ "action": "send_message", "room_id": dm, "content": "from seed 003" }))
        .await;
    assert_ne!(
        second["message"]["id"], ack["message"]["id"],
        "without a key, two sends are two messages"
    );
}

#[tokio::test]
async fn test_messages_in_socket_events_carry_seed_003_names() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    let ack = alice_ws
        .request(json!({ "action": "send_message", "room_id": dm, "content": "hello" }))
        .await;
    assert_eq!(ack["message"]["room_id"], dm.as_str(), "{ack}");
    assert_eq!(ack["message"]["user_id"], alice.user_id.as_str());
    assert_eq!(ack["message"]["username"], "alice");
    let event = bob_ws.next_of("new_message").await;
    let message = &event["message"];
    assert_eq!(message["room_id"], dm.as_str(), "{event}");
    assert_eq!(message["conversation_id"], dm.as_str());
    assert_eq!(message["user_id"], alice.user_id.as_str());
    assert_eq!(message["sender_id"], alice.user_id.as_str());
    assert_eq!(message["username"], "alice");
    assert_eq!(message["content"], "hello");
}
