//! The SDK's session: refresh on a refused access token (once for every call waiting on it),
//! a refused refresh that signs the client out, explicit refresh and logout.

use std::sync::atomic::Ordering;

use futures::future::join_all;
use hearth_proto::ErrorCode;
use hearth_sdk::ClientError;
use serde_json::json;

use crate::sdk_support::{anonymous, counting_client, expired_session, sdk_user};
use crate::support::TestApp;

/// A server that revokes a session the moment a rotated refresh token is presented again: a
/// second refresh of the same token by concurrent calls would end the session, so a test
/// that passes on it saw one refresh.
async fn strict_server() -> TestApp {
    TestApp::spawn_with(|config| config.auth.refresh_reuse_grace_secs = 0).await
}

#[tokio::test]
async fn test_sdk_concurrent_requests_after_expiry_refresh_once() {
    let app = strict_server().await;
    let (user, tokens) = expired_session(&app, "alice").await;
    let first_refresh_token = tokens.refresh_token.clone();
    let (client, refreshes) = counting_client(&app, tokens);

    let answers = join_all((0..8).map(|_| client.me())).await;

    for answer in answers {
        assert_eq!(answer.expect("every call succeeds").id, user.id);
    }
    assert_eq!(refreshes.load(Ordering::SeqCst), 1, "one refresh for all");
    let now = client.tokens().expect("still signed in");
    assert_ne!(now.refresh_token, first_refresh_token, "rotated once");
    client
        .refresh()
        .await
        .expect("the session's family is alive");
}

#[tokio::test]
async fn test_sdk_a_call_retries_once_with_the_refreshed_token() {
    let app = TestApp::spawn().await;
    let (_, tokens) = expired_session(&app, "alice").await;
    let expired = tokens.access_token.clone();
    let (client, refreshes) = counting_client(&app, tokens);

    let conversations = client.conversations().await.expect("retried after refresh");

    assert!(conversations.is_empty());
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    assert_ne!(client.tokens().unwrap().access_token, expired);
}

#[tokio::test]
async fn test_sdk_failed_refresh_signs_out() {
    let app = TestApp::spawn().await;
    let (_, tokens) = expired_session(&app, "alice").await;
    app.post_anon(
        "/v1/auth/logout",
        json!({ "refresh_token": tokens.refresh_token }),
    )
    .await
    .expect(200);
    let (client, refreshes) = counting_client(&app, tokens);

    let err = client.me().await.expect_err("the refresh token is revoked");

    assert!(
        matches!(
            err,
            ClientError::SessionExpired {
                code: ErrorCode::Unauthorized,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(client.tokens().is_none(), "the session is cleared");
    assert_eq!(refreshes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn test_sdk_calls_after_a_refused_refresh_fail_without_the_network() {
    let mut app = TestApp::spawn().await;
    let (_, mut tokens) = expired_session(&app, "alice").await;
    tokens.refresh_token = "not a token the server made".to_owned();
    let (client, _) = counting_client(&app, tokens);
    client.me().await.expect_err("refused refresh");
    app.stop().await;

    let err = client.conversations().await.expect_err("signed out");

    assert!(
        matches!(err, ClientError::SessionExpired { .. }),
        "answered without the (stopped) server: {err:?}"
    );
}

#[tokio::test]
async fn test_sdk_concurrent_calls_all_see_a_refused_refresh() {
    let app = TestApp::spawn().await;
    let (_, mut tokens) = expired_session(&app, "alice").await;
    tokens.refresh_token = "not a token the server made".to_owned();
    let (client, _) = counting_client(&app, tokens);

    let answers = join_all((0..6).map(|_| client.me())).await;

    for answer in answers {
        assert!(
            matches!(answer, Err(ClientError::SessionExpired { .. })),
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn test_sdk_refresh_rotates_and_hands_the_new_pair_to_the_listener() {
    let app = TestApp::spawn().await;
    let session = anonymous(&app)
        .register("alice", "correct horse battery")
        .await
        .unwrap();
    let before = session.tokens.clone();
    let (client, refreshes) = counting_client(&app, session.tokens);

    client.refresh().await.expect("refresh");

    let after = client.tokens().unwrap();
    assert_ne!(after.refresh_token, before.refresh_token);
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(client.me().await.unwrap().username, "alice");
}

#[tokio::test]
async fn test_sdk_logout_ends_the_session_on_the_server_and_signs_out() {
    let app = TestApp::spawn().await;
    let alice = sdk_user(&app, "alice").await;
    let refresh_token = alice.client.tokens().unwrap().refresh_token;

    alice.client.logout().await.expect("logout");

    assert!(alice.client.tokens().is_none());
    assert!(matches!(
        alice.client.me().await,
        Err(ClientError::NotSignedIn)
    ));
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": refresh_token }),
    )
    .await
    .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_sdk_logout_signs_out_every_clone() {
    let app = TestApp::spawn().await;
    let alice = sdk_user(&app, "alice").await;
    let clone = alice.client.clone();

    alice.client.logout().await.unwrap();

    assert!(matches!(clone.me().await, Err(ClientError::NotSignedIn)));
}

#[tokio::test]
async fn test_sdk_a_fixed_token_is_never_refreshed() {
    let app = TestApp::spawn().await;
    let (_, tokens) = expired_session(&app, "alice").await;
    let client = anonymous(&app).with_token(&tokens.access_token);

    let err = client.me().await.expect_err("expired");

    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert!(
        matches!(err, ClientError::Api { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn test_sdk_anonymous_client_is_not_signed_in() {
    let app = TestApp::spawn().await;

    let err = anonymous(&app).me().await.expect_err("anonymous");

    assert!(matches!(err, ClientError::NotSignedIn), "{err:?}");
}

#[tokio::test]
async fn test_sdk_connect_refreshes_a_token_the_socket_refuses() {
    let app = TestApp::spawn().await;
    let (_, tokens) = expired_session(&app, "alice").await;
    let (client, refreshes) = counting_client(&app, tokens);

    let socket = client.connect().await.expect("connected after a refresh");

    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    socket.close().await.unwrap();
}

#[tokio::test]
async fn test_sdk_logout_after_a_refused_refresh_does_nothing() {
    let app = TestApp::spawn().await;
    let (_, mut tokens) = expired_session(&app, "alice").await;
    tokens.refresh_token = "not a token the server made".to_owned();
    let (client, _) = counting_client(&app, tokens);
    client.me().await.expect_err("refused refresh");

    client.logout().await.expect("nothing left to end");

    assert!(client.tokens().is_none());
}
