//! The SDK's privacy, blocking and profile calls against the real server.

use hearth_proto::{ErrorCode, PrivacyDto, UpdateProfileRequest};

use crate::sdk_support::{sdk_alice_and_bob, sdk_user};
use crate::support::TestApp;

#[tokio::test]
async fn test_sdk_a_block_stops_the_blocked_posting_and_is_listed() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;

    bob.client.block(alice.user.id).await.unwrap();

    let err = alice
        .client
        .send_message(dm, "k1", "hello?")
        .await
        .expect_err("blocked");
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    let blocked = bob.client.blocked().await.unwrap();
    assert_eq!(blocked[0].user.id, alice.user.id);
}

#[tokio::test]
async fn test_sdk_unblock_lets_posting_resume() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    bob.client.block(alice.user.id).await.unwrap();

    bob.client.unblock(alice.user.id).await.unwrap();

    alice.client.send_message(dm, "k1", "hello").await.unwrap();
    assert!(bob.client.blocked().await.unwrap().is_empty());
}

#[tokio::test]
async fn test_sdk_privacy_round_trip() {
    let app = TestApp::spawn().await;
    let bob = sdk_user(&app, "bob").await;
    let alice = sdk_user(&app, "alice").await;
    let nobody = PrivacyDto {
        direct_messages: Some("nobody".to_owned()),
        group_invites: None,
    };

    let now = bob.client.set_privacy(&nobody).await.unwrap();

    assert_eq!(now.direct_messages.as_deref(), Some("nobody"));
    assert_eq!(bob.client.privacy().await.unwrap(), now);
    let err = alice.client.direct(bob.user.id).await.expect_err("refused");
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
}

#[tokio::test]
async fn test_sdk_a_profile_change_is_what_others_find() {
    let app = TestApp::spawn().await;
    let (alice, bob, _dm) = sdk_alice_and_bob(&app).await;
    let change = UpdateProfileRequest {
        display_name: Some("Alice Liddell".to_owned()),
        ..UpdateProfileRequest::default()
    };

    let me = alice.client.update_profile(&change).await.unwrap();

    assert_eq!(me.display_name, "Alice Liddell");
    let found = bob.client.search_users("alice", None).await.unwrap();
    assert_eq!(found[0].display_name, "Alice Liddell");
    let blank = UpdateProfileRequest {
        display_name: Some(" ".to_owned()),
        ..UpdateProfileRequest::default()
    };
    let err = alice.client.update_profile(&blank).await.expect_err("422");
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
}
