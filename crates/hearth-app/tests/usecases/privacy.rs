//! Consent and blocking (seed 001): who may start a direct conversation with someone or add
//! them, and what a block stops (direct messages both ways, invites, mentions).

use hearth_app::{AppError, PrivacyInput, UserLookup};
use hearth_testkit::{TestKit, TestUser};

async fn set_privacy(kit: &TestKit, who: &TestUser, direct: Option<&str>, invites: Option<&str>) {
    kit.app
        .privacy
        .update(
            who.caller,
            PrivacyInput {
                direct_messages: direct.map(str::to_owned),
                group_invites: invites.map(str::to_owned),
            },
        )
        .await
        .unwrap();
}

async fn start_direct(
    kit: &TestKit,
    from: &TestUser,
    to: &TestUser,
) -> Result<hearth_app::DirectOutcome, AppError> {
    kit.app
        .conversations
        .direct(
            from.caller,
            UserLookup::by_id("other_user_id", to.id_string()),
        )
        .await
}

async fn add(
    kit: &TestKit,
    by: &TestUser,
    to: hearth_domain::ConversationId,
    who: &TestUser,
) -> Result<hearth_domain::Member, AppError> {
    kit.app
        .conversations
        .add_member(by.caller, to, UserLookup::by_id("user_id", who.id_string()))
        .await
}

#[tokio::test]
async fn a_block_refuses_a_direct_conversation_both_ways() {
    let kit = TestKit::new().await;
    let [alice, bob] = kit.users(["alice", "bob"]).await;
    kit.block(&bob, &alice).await;

    assert_refused!(
        start_direct(&kit, &alice, &bob).await,
        AppError::Forbidden(_)
    );
    assert_refused!(
        start_direct(&kit, &bob, &alice).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn a_block_stops_posting_in_an_existing_direct_conversation() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.block(&bob, &alice).await;

    assert_refused!(
        kit.send(&alice, dm, "k1", "hello?").await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn unblocking_lets_posting_resume() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.block(&bob, &alice).await;
    kit.app
        .privacy
        .unblock(bob.caller, &alice.id_string())
        .await
        .unwrap();

    kit.post(&alice, dm, "hello again").await;
}

#[tokio::test]
async fn a_block_refuses_being_added() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[]).await;
    kit.block(&bob, &owner).await;

    assert_refused!(add(&kit, &owner, group, &bob).await, AppError::Forbidden(_));
}

#[tokio::test]
async fn direct_messages_from_nobody_refuses_a_new_direct_conversation() {
    let kit = TestKit::new().await;
    let [alice, bob] = kit.users(["alice", "bob"]).await;
    set_privacy(&kit, &bob, Some("nobody"), None).await;

    assert_refused!(
        start_direct(&kit, &alice, &bob).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn shared_conversations_admits_someone_who_shares_one() {
    let kit = TestKit::new().await;
    let [alice, bob, carol] = kit.users(["alice", "bob", "carol"]).await;
    set_privacy(&kit, &bob, Some("shared_conversations"), None).await;
    kit.group(&alice, &[&bob]).await;

    start_direct(&kit, &alice, &bob).await.unwrap();
    assert_refused!(
        start_direct(&kit, &carol, &bob).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn group_invites_from_nobody_refuses_being_added() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    set_privacy(&kit, &bob, None, Some("nobody")).await;
    let group = kit.group(&owner, &[]).await;

    assert_refused!(add(&kit, &owner, group, &bob).await, AppError::Forbidden(_));
}

#[tokio::test]
async fn an_unknown_consent_names_the_field() {
    let kit = TestKit::new().await;
    let bob = kit.user("bob").await;

    let refused = kit
        .app
        .privacy
        .update(
            bob.caller,
            PrivacyInput {
                direct_messages: Some("friends".to_owned()),
                group_invites: None,
            },
        )
        .await;

    let Err(AppError::Validation(errors)) = refused else {
        panic!("validation failure: {refused:?}");
    };
    assert_eq!(errors.0[0].field, "direct_messages");
}

#[tokio::test]
async fn nobody_can_block_themselves() {
    let kit = TestKit::new().await;
    let bob = kit.user("bob").await;

    assert_refused!(
        kit.app.privacy.block(bob.caller, &bob.id_string()).await,
        AppError::Validation(_)
    );
}
