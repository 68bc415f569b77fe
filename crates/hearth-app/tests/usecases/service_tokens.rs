//! Service tokens: a service token is never a user's access token and a user's token never a
//! service token; a service acts as an existing user only.

use std::time::Duration;

use hearth_app::AppError;
use hearth_domain::UserId;
use hearth_testkit::TestKit;

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn a_service_token_names_its_service() {
    let kit = TestKit::new().await;
    let token = kit.app.auth.issue_service_token("bridge", DAY).unwrap();

    let service = kit.app.auth.authenticate_service(&token).unwrap();

    assert_eq!(service.name, "bridge");
}

#[tokio::test]
async fn a_service_token_never_passes_as_an_access_token() {
    let kit = TestKit::new().await;
    let token = kit.app.auth.issue_service_token("bridge", DAY).unwrap();

    assert_refused!(kit.app.auth.authenticate(&token), AppError::Unauthorized(_));
}

#[tokio::test]
async fn an_access_token_never_passes_as_a_service_token() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;

    assert_refused!(
        kit.app
            .auth
            .authenticate_service(&alice.session.access_token),
        AppError::Unauthorized(_)
    );
}

#[tokio::test]
async fn a_service_name_outside_the_rules_is_refused() {
    let kit = TestKit::new().await;

    assert_refused!(
        kit.app.auth.issue_service_token("Not OK", DAY),
        AppError::Validation(_)
    );
}

#[tokio::test]
async fn a_service_acts_as_the_user_it_names() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;
    let token = kit.app.auth.issue_service_token("bridge", DAY).unwrap();
    let service = kit.app.auth.authenticate_service(&token).unwrap();

    let caller = kit.app.auth.act_for(&service, alice.id()).await.unwrap();

    assert_eq!(caller.user_id, alice.id());
}

#[tokio::test]
async fn a_service_cannot_act_as_an_unknown_user() {
    let kit = TestKit::new().await;
    let token = kit.app.auth.issue_service_token("bridge", DAY).unwrap();
    let service = kit.app.auth.authenticate_service(&token).unwrap();

    assert_refused!(
        kit.app.auth.act_for(&service, UserId::new()).await,
        AppError::NotFound(_)
    );
}

#[tokio::test]
async fn a_user_may_act_only_as_themselves() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;
    let bob = kit.user("bob").await;
    let principal = kit
        .app
        .auth
        .authenticate_principal(&alice.session.access_token)
        .unwrap();

    assert_refused!(
        kit.app
            .auth
            .caller_as(&principal, Some(bob.id()), "sender_id")
            .await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn a_service_must_name_the_user_it_acts_for() {
    let kit = TestKit::new().await;
    let token = kit.app.auth.issue_service_token("bridge", DAY).unwrap();
    let principal = kit.app.auth.authenticate_principal(&token).unwrap();

    assert_refused!(
        kit.app.auth.caller_as(&principal, None, "sender_id").await,
        AppError::Validation(_)
    );
}
