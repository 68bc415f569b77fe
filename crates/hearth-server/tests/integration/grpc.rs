//! `SendMessage` over the real server on port 0, with a tonic client over h2c: the auth and
//! permission failures with their status codes and `hearth-code` trailer, idempotent sends
//! shared with REST, limits, service tokens, and a gRPC send arriving on the native WebSocket.
//! The other RPCs, health and reflection: `grpc_rpcs.rs`.

use tonic::Code;

use crate::grpc_support::{assert_refused, grpc_send, send_request};
use crate::support::TestApp;

#[tokio::test]
async fn test_grpc_send_message_stores_the_message() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let sent = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "hi over gRPC", "g1"),
    )
    .await
    .unwrap();

    assert!(!sent.replayed);
    assert!(sent.sent_at.is_some());
    let messages = app.all_messages(&bob, &dm).await;
    let stored = messages.last().unwrap();
    assert_eq!(stored["id"], sent.message_id.as_str());
    assert_eq!(stored["content"], "hi over gRPC");
    assert_eq!(stored["seq"], sent.seq);
}

#[tokio::test]
async fn test_grpc_send_with_an_empty_sender_id_sends_as_the_caller() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    grpc_send(&mut grpc, &alice.access, send_request(&dm, "", "me", "g1"))
        .await
        .unwrap();

    let messages = app.all_messages(&bob, &dm).await;
    assert_eq!(
        messages.last().unwrap()["sender_id"],
        alice.user_id.as_str()
    );
}

#[tokio::test]
async fn test_grpc_send_replay_returns_the_original_message() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;
    let request = send_request(&dm, &alice.user_id, "once", "same-key");

    let first = grpc_send(&mut grpc, &alice.access, request.clone())
        .await
        .unwrap();
    let again = grpc_send(&mut grpc, &alice.access, request).await.unwrap();

    assert_eq!(again.message_id, first.message_id);
    assert_eq!(again.seq, first.seq);
    assert!(again.replayed);
    assert_eq!(app.all_messages(&alice, &dm).await.len(), 1);
}

#[tokio::test]
async fn test_grpc_send_replays_a_rest_send_with_the_same_key() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let rest = app
        .send(&alice, &dm, "shared-key", "from REST")
        .await
        .expect(201);
    let mut grpc = app.messenger().await;

    let replayed = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "from REST", "shared-key"),
    )
    .await
    .unwrap();

    assert_eq!(replayed.message_id, rest.data()["id"].as_str().unwrap());
    assert!(replayed.replayed);
}

#[tokio::test]
async fn test_grpc_send_reusing_a_key_for_other_content_is_already_exists() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;
    grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "one", "k"),
    )
    .await
    .unwrap();

    let clash = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "two", "k"),
    )
    .await;

    assert_refused(clash, Code::AlreadyExists, "conflict");
}

#[tokio::test]
async fn test_grpc_send_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let refused = grpc
        .send_message(tonic::Request::new(send_request(
            &dm,
            &alice.user_id,
            "x",
            "k",
        )))
        .await;

    assert_refused(refused, Code::Unauthenticated, "unauthorized");
}

#[tokio::test]
async fn test_grpc_send_with_a_bad_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &format!("{}x", alice.access),
        send_request(&dm, &alice.user_id, "x", "k"),
    )
    .await;

    assert_refused(refused, Code::Unauthenticated, "unauthorized");
}

#[tokio::test]
async fn test_grpc_send_as_another_user_is_permission_denied() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &bob.user_id, "as bob", "k"),
    )
    .await;

    assert_refused(refused, Code::PermissionDenied, "forbidden");
    assert!(app.all_messages(&alice, &dm).await.is_empty());
}

#[tokio::test]
async fn test_grpc_send_by_a_non_member_is_permission_denied() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &carol.access,
        send_request(&dm, &carol.user_id, "let me in", "k"),
    )
    .await;

    assert_refused(refused, Code::PermissionDenied, "forbidden");
}

#[tokio::test]
async fn test_grpc_send_of_empty_content_is_invalid_argument_naming_the_field() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "", "k"),
    )
    .await;

    let status = refused.as_ref().expect_err("refused").clone();
    assert_refused(refused, Code::InvalidArgument, "validation_failed");
    let details = status.metadata().get_bin("hearth-details-bin").unwrap();
    let details: serde_json::Value = serde_json::from_slice(&details.to_bytes().unwrap()).unwrap();
    assert!(details.get("content").is_some(), "{details}");
}

#[tokio::test]
async fn test_grpc_send_to_an_unknown_conversation_is_not_found() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request("not-a-uuid", &alice.user_id, "x", "k"),
    )
    .await;

    assert_refused(refused, Code::NotFound, "not_found");
}

#[tokio::test]
async fn test_grpc_send_over_the_rate_limit_is_resource_exhausted_with_a_retry_hint() {
    let app = TestApp::spawn_with(|config| config.limits.sends_per_user_per_minute = 1).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;
    grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "one", "k1"),
    )
    .await
    .unwrap();

    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "two", "k2"),
    )
    .await;

    let status = refused.as_ref().expect_err("refused").clone();
    assert_refused(refused, Code::ResourceExhausted, "rate_limited");
    assert!(status.metadata().get("retry-after-ms").is_some());
}

#[tokio::test]
async fn test_grpc_a_message_over_the_size_limit_is_refused_before_any_use_case() {
    let app = TestApp::spawn_with(|config| config.limits.max_body_bytes = 1024).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, &"x".repeat(2000), "k"),
    )
    .await;

    // tonic refuses a message over its decoding limit with OUT_OF_RANGE, before the RPC runs.
    let status = refused.unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    assert!(
        status.message().contains("message length too large"),
        "{status:?}"
    );
    assert!(app.all_messages(&alice, &dm).await.is_empty());
}

#[tokio::test]
async fn test_grpc_a_message_sent_over_grpc_arrives_on_the_websocket() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;
    let mut grpc = app.messenger().await;

    let sent = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "live", "k"),
    )
    .await
    .unwrap();

    let event = bob_ws.next_of("new_message").await;
    assert_eq!(event["message"]["id"], sent.message_id.as_str());
    assert_eq!(event["message"]["content"], "live");
}

#[tokio::test]
async fn test_grpc_a_service_token_sends_as_the_user_it_names() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let service = app.service_token("bridge");
    let mut grpc = app.messenger().await;

    let sent = grpc_send(
        &mut grpc,
        &service,
        send_request(&dm, &alice.user_id, "bridged", "b1"),
    )
    .await
    .unwrap();

    let messages = app.all_messages(&bob, &dm).await;
    let stored = messages.last().unwrap();
    assert_eq!(stored["id"], sent.message_id.as_str());
    assert_eq!(stored["sender_id"], alice.user_id.as_str());
}

#[tokio::test]
async fn test_grpc_a_service_token_is_still_bound_by_membership() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let service = app.service_token("bridge");
    let mut grpc = app.messenger().await;

    let refused = grpc_send(
        &mut grpc,
        &service,
        send_request(&dm, &carol.user_id, "sneak", "k"),
    )
    .await;

    assert_refused(refused, Code::PermissionDenied, "forbidden");
}

#[tokio::test]
async fn test_grpc_a_service_token_must_name_a_sender() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let service = app.service_token("bridge");
    let mut grpc = app.messenger().await;

    let refused = grpc_send(&mut grpc, &service, send_request(&dm, "", "who am I", "k")).await;

    assert_refused(refused, Code::InvalidArgument, "validation_failed");
}

#[tokio::test]
async fn test_grpc_a_service_token_is_refused_on_rest() {
    let app = TestApp::spawn().await;
    let service = app.service_token("bridge");

    app.get("/v1/users/me", &service)
        .await
        .expect_error(401, "unauthorized");
}
