//! Changing sent messages: the author edits within the edit window; the author, or a member
//! holding `can_delete_messages`, deletes, leaving a tombstone whose text is gone from every
//! read path; a change that changes nothing logs nothing.

use std::time::Duration;

use hearth_app::{AppError, SearchInput};
use hearth_testkit::TestKit;

#[tokio::test]
async fn the_author_may_edit_and_the_edit_is_logged() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "helo").await;

    let change = kit.edit(&alice, dm, sent.id, "hello").await.unwrap();

    assert_eq!(change.message.text(), Some("hello"));
    assert_eq!(change.message.edit_count, 1);
    assert!(change.event.unwrap().seq > sent.seq, "the edit takes a seq");
}

#[tokio::test]
async fn the_same_text_again_changes_nothing() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "hello").await;

    let change = kit.edit(&alice, dm, sent.id, "hello").await.unwrap();

    assert!(!change.changed());
    assert_eq!(change.message.edit_count, 0);
}

#[tokio::test]
async fn someone_elses_message_may_not_be_edited() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "mine").await;

    assert_refused!(
        kit.edit(&bob, dm, sent.id, "yours").await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn an_edit_after_the_window_is_forbidden() {
    // A window of zero has closed by the time any edit arrives: the send itself took a
    // durable write after the message got its time.
    let kit = TestKit::with(|s| s.messages.edit_window = Some(Duration::ZERO)).await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "helo").await;

    assert_refused!(
        kit.edit(&alice, dm, sent.id, "hello").await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn without_a_window_old_messages_stay_editable() {
    let kit = TestKit::with(|s| s.messages.edit_window = None).await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "helo").await;

    kit.edit(&alice, dm, sent.id, "hello").await.unwrap();
}

#[tokio::test]
async fn a_deleted_message_is_a_tombstone_in_history() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "before").await;
    let oops = kit.post(&alice, dm, "oops").await;
    kit.post(&alice, dm, "after").await;

    let change = kit.delete(&alice, dm, oops.id).await.unwrap();

    assert!(change.message.is_deleted());
    assert_eq!(change.message.text(), None);
    assert_eq!(
        kit.history(&bob, dm).await.unwrap(),
        [Some("before".to_owned()), None, Some("after".to_owned())],
        "the tombstone keeps its place"
    );
}

#[tokio::test]
async fn deleting_a_tombstone_again_changes_nothing() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "oops").await;
    kit.delete(&alice, dm, sent.id).await.unwrap();

    let again = kit.delete(&alice, dm, sent.id).await.unwrap();

    assert!(!again.changed());
    assert!(again.message.is_deleted());
}

#[tokio::test]
async fn a_deleted_message_cannot_be_edited() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "oops").await;
    kit.delete(&alice, dm, sent.id).await.unwrap();

    assert_refused!(
        kit.edit(&alice, dm, sent.id, "back").await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn a_deleted_message_cannot_be_reacted_to() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "oops").await;
    kit.delete(&alice, dm, sent.id).await.unwrap();

    assert_refused!(
        kit.app.messages.react(bob.caller, dm, sent.id, "👍").await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn a_member_may_not_delete_someone_elses_message() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    let sent = kit.post(&bob, group, "bob's").await;

    assert_refused!(
        kit.delete(&carol, group, sent.id).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn an_admin_may_delete_a_members_message() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    kit.promote(&owner, group, &carol).await;
    let sent = kit.post(&bob, group, "spam").await;

    let change = kit.delete(&carol, group, sent.id).await.unwrap();

    assert!(change.message.is_deleted());
}

#[tokio::test]
async fn a_deleted_message_is_never_found_by_search() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "secret plans").await;
    kit.post(&alice, dm, "public plans").await;
    kit.delete(&alice, dm, sent.id).await.unwrap();

    let page = kit
        .app
        .messages
        .search(
            bob.caller,
            Some(dm),
            SearchInput {
                q: Some("plans".to_owned()),
                ..SearchInput::default()
            },
        )
        .await
        .unwrap();

    let found: Vec<_> = page.hits.iter().map(|h| h.message.text()).collect();
    assert_eq!(found, [Some("public plans")]);
}
