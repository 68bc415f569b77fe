//! Join requests: a room or channel that requires approval files a request instead of a
//! membership, which a member holding `can_manage_participants` approves or denies.

use hearth_app::{AppError, CreateInput, JoinOutcome};
use hearth_domain::ConversationId;
use hearth_testkit::{TestKit, TestUser};

async fn by_approval(kit: &TestKit, owner: &TestUser) -> ConversationId {
    kit.create_with(
        owner,
        CreateInput {
            kind: "room".to_owned(),
            title: Some("the club".to_owned()),
            require_approval: Some(true),
            ..CreateInput::default()
        },
    )
    .await
}

/// How many requests to join `room` wait, as `manager` sees them.
async fn pending(kit: &TestKit, manager: &TestUser, room: ConversationId) -> usize {
    kit.app
        .conversations
        .join_requests(manager.caller, room)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn joining_a_room_that_requires_approval_files_a_request() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = by_approval(&kit, &owner).await;

    let outcome = kit.app.conversations.join(bob.caller, room).await.unwrap();

    assert!(matches!(outcome, JoinOutcome::Requested(_)), "{outcome:?}");
    assert_eq!(pending(&kit, &owner, room).await, 1);
    assert_refused!(
        kit.app.messages.list(bob.caller, room, None, None).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn approving_a_request_makes_a_member() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = by_approval(&kit, &owner).await;
    kit.app.conversations.join(bob.caller, room).await.unwrap();

    let member = kit
        .app
        .conversations
        .approve_join_request(owner.caller, room, &bob.id_string())
        .await
        .unwrap();

    assert_eq!(member.user.id, bob.id());
    kit.post(&bob, room, "thanks").await;
    assert_eq!(pending(&kit, &owner, room).await, 0);
}

#[tokio::test]
async fn denying_a_request_leaves_no_member_and_no_request() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = by_approval(&kit, &owner).await;
    kit.app.conversations.join(bob.caller, room).await.unwrap();

    kit.app
        .conversations
        .deny_join_request(owner.caller, room, &bob.id_string())
        .await
        .unwrap();

    assert_eq!(pending(&kit, &owner, room).await, 0);
    assert_refused!(
        kit.app.conversations.get(bob.caller, room).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn denying_a_request_that_is_not_there_is_not_found() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = by_approval(&kit, &owner).await;

    assert_refused!(
        kit.app
            .conversations
            .deny_join_request(owner.caller, room, &bob.id_string())
            .await,
        AppError::NotFound(_)
    );
}

#[tokio::test]
async fn a_member_may_not_review_requests() {
    let kit = TestKit::new().await;
    let [owner, member, bob] = kit.users(["owner", "member", "bob"]).await;
    let room = by_approval(&kit, &owner).await;
    kit.app
        .conversations
        .join(member.caller, room)
        .await
        .unwrap();
    kit.app
        .conversations
        .approve_join_request(owner.caller, room, &member.id_string())
        .await
        .unwrap();
    kit.app.conversations.join(bob.caller, room).await.unwrap();

    assert_refused!(
        kit.app
            .conversations
            .join_requests(member.caller, room)
            .await,
        AppError::Forbidden(_)
    );
    assert_refused!(
        kit.app
            .conversations
            .approve_join_request(member.caller, room, &bob.id_string())
            .await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn asking_twice_is_a_conflict() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = by_approval(&kit, &owner).await;
    kit.app.conversations.join(bob.caller, room).await.unwrap();

    assert_refused!(
        kit.app.conversations.join(bob.caller, room).await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn joining_twice_is_a_conflict() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let room = kit.create(&owner, "room", "open room", &[]).await;
    kit.join(&bob, room).await;

    assert_refused!(
        kit.app.conversations.join(bob.caller, room).await,
        AppError::Conflict(_)
    );
}
