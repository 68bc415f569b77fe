//! Rate limits, counted per user (sends, conversation changes) and per username and address
//! (auth), across every face because they are counted here.

use hearth_app::{AppError, ClientInfo};
use hearth_testkit::{PASSWORD, TEST_IP, TestKit};

#[tokio::test]
async fn sends_over_the_quota_are_rate_limited() {
    let kit = TestKit::with(|s| s.limits.sends_per_user_per_minute = 2).await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "one").await;
    kit.post(&alice, dm, "two").await;

    let refused = kit.send(&alice, dm, "k3", "three").await;

    let Err(AppError::RateLimited { retry_after }) = refused else {
        panic!("rate limited: {refused:?}");
    };
    assert!(retry_after.as_secs() >= 1, "{retry_after:?}");
}

#[tokio::test]
async fn the_send_quota_is_per_user() {
    let kit = TestKit::with(|s| s.limits.sends_per_user_per_minute = 1).await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "one").await;

    kit.post(&bob, dm, "mine").await;
}

#[tokio::test]
async fn a_retry_over_the_quota_still_gets_the_original() {
    let kit = TestKit::with(|s| s.limits.sends_per_user_per_minute = 1).await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let first = kit.send(&alice, dm, "k1", "one").await.unwrap();

    let retry = kit.send(&alice, dm, "k1", "one").await.unwrap();

    assert_eq!(retry.message.id, first.message.id);
    assert_refused!(
        kit.send(&alice, dm, "k2", "two").await,
        AppError::RateLimited { .. }
    );
}

#[tokio::test]
async fn conversation_changes_over_the_quota_are_rate_limited() {
    let kit = TestKit::with(|s| s.limits.conversation_changes_per_user_per_minute = 1).await;
    let [alice, bob, carol] = kit.users(["alice", "bob", "carol"]).await;
    kit.direct(&alice, &bob).await;

    let second = kit
        .app
        .conversations
        .direct(
            alice.caller,
            hearth_app::UserLookup::by_id("other_user_id", carol.id_string()),
        )
        .await;

    assert_refused!(second, AppError::RateLimited { .. });
}

#[tokio::test]
async fn logins_over_the_per_username_quota_are_rate_limited() {
    let kit = TestKit::with(|s| s.limits.auth_per_username_per_minute = 2).await;
    kit.user("alice").await;
    kit.app
        .auth
        .login("alice", PASSWORD, &ClientInfo::from_ip(TEST_IP))
        .await
        .unwrap();

    assert_refused!(
        kit.app
            .auth
            .login("alice", PASSWORD, &ClientInfo::from_ip(TEST_IP))
            .await,
        AppError::RateLimited { .. }
    );
}
