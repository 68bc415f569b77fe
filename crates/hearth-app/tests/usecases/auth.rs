//! Accounts and sessions: usernames are unique in any case, a wrong password is refused like
//! an unknown user, refresh tokens rotate, a rotated token presented again after the grace
//! window revokes its session (within it, a retry gets a pair), logout revokes.

use std::time::Duration;

use hearth_app::{AppError, ClientInfo, RegisterInput};
use hearth_testkit::{PASSWORD, TEST_IP, TestKit};

fn account(username: &str) -> RegisterInput {
    RegisterInput {
        username: username.to_owned(),
        display_name: None,
        password: PASSWORD.to_owned(),
        email: None,
    }
}

#[tokio::test]
async fn usernames_are_folded_and_unique_in_any_case() {
    let kit = TestKit::new().await;
    let alice = kit.user("Alice").await;

    assert_eq!(alice.user.username.as_str(), "alice");
    assert_refused!(
        kit.app
            .auth
            .register(account("ALICE"), &ClientInfo::from_ip(TEST_IP))
            .await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_like_an_unknown_user() {
    let kit = TestKit::new().await;
    kit.user("alice").await;

    assert_refused!(
        kit.app
            .auth
            .login("alice", "not the password", &ClientInfo::from_ip(TEST_IP))
            .await,
        AppError::Unauthorized(_)
    );
    assert_refused!(
        kit.app
            .auth
            .login("nobody", PASSWORD, &ClientInfo::from_ip(TEST_IP))
            .await,
        AppError::Unauthorized(_)
    );
}

#[tokio::test]
async fn a_refresh_rotates_the_refresh_token() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;

    let next = kit
        .app
        .auth
        .refresh(&alice.session.refresh_token, TEST_IP)
        .await
        .unwrap();

    assert_ne!(next.refresh_token, alice.session.refresh_token);
    kit.app.auth.authenticate(&next.access_token).unwrap();
    kit.app
        .auth
        .refresh(&next.refresh_token, TEST_IP)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_retry_within_the_grace_window_gets_a_pair() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;
    let old = alice.session.refresh_token.clone();
    let next = kit.app.auth.refresh(&old, TEST_IP).await.unwrap();

    let retried = kit.app.auth.refresh(&old, TEST_IP).await.unwrap();

    kit.app
        .auth
        .refresh(&retried.refresh_token, TEST_IP)
        .await
        .unwrap();
    kit.app
        .auth
        .refresh(&next.refresh_token, TEST_IP)
        .await
        .unwrap();
}

#[tokio::test]
async fn reuse_after_the_grace_window_revokes_the_session() {
    let kit = TestKit::with(|s| s.auth.refresh_reuse_grace = Duration::ZERO).await;
    let alice = kit.user("alice").await;
    let old = alice.session.refresh_token.clone();
    let next = kit.app.auth.refresh(&old, TEST_IP).await.unwrap();

    assert_refused!(
        kit.app.auth.refresh(&old, TEST_IP).await,
        AppError::Unauthorized(_)
    );
    assert_refused!(
        kit.app.auth.refresh(&next.refresh_token, TEST_IP).await,
        AppError::Unauthorized(_)
    );
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;

    kit.app
        .auth
        .logout(&alice.session.refresh_token)
        .await
        .unwrap();

    assert_refused!(
        kit.app
            .auth
            .refresh(&alice.session.refresh_token, TEST_IP)
            .await,
        AppError::Unauthorized(_)
    );
}

#[tokio::test]
async fn a_forged_access_token_is_refused() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;
    let forged = format!("{}x", alice.session.access_token);

    assert_refused!(
        kit.app.auth.authenticate(&forged),
        AppError::Unauthorized(_)
    );
}
