//! Sends are idempotent on the sender's `client_message_id`, kept for ever: the same key and
//! content is the original message, never a second; the same key for anything else clashes.

use futures::future::join_all;
use hearth_app::AppError;
use hearth_testkit::TestKit;

#[tokio::test]
async fn the_same_key_and_content_returns_the_original() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let first = kit.send(&alice, dm, "k1", "hello").await.unwrap();

    let again = kit.send(&alice, dm, "k1", "hello").await.unwrap();

    assert!(first.created);
    assert!(!again.created, "a replay");
    assert_eq!(
        (again.message.id, again.message.seq),
        (first.message.id, first.message.seq)
    );
    assert_eq!(
        kit.history(&bob, dm).await.unwrap(),
        [Some("hello".to_owned())]
    );
}

#[tokio::test]
async fn the_same_key_with_different_content_is_a_conflict() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    kit.send(&alice, dm, "k1", "hello").await.unwrap();

    assert_refused!(
        kit.send(&alice, dm, "k1", "goodbye").await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn the_same_key_in_another_conversation_is_a_conflict() {
    let kit = TestKit::new().await;
    let [alice, bob, carol] = kit.users(["alice", "bob", "carol"]).await;
    let with_bob = kit.direct(&alice, &bob).await;
    let with_carol = kit.direct(&alice, &carol).await;
    kit.send(&alice, with_bob, "k1", "hello").await.unwrap();

    assert_refused!(
        kit.send(&alice, with_carol, "k1", "hello").await,
        AppError::Conflict(_)
    );
}

#[tokio::test]
async fn keys_are_per_sender() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let hers = kit.send(&alice, dm, "k1", "hello").await.unwrap();

    let his = kit.send(&bob, dm, "k1", "hello").await.unwrap();

    assert!(his.created);
    assert_ne!(his.message.id, hers.message.id);
}

#[tokio::test]
async fn concurrent_retries_of_one_key_store_one_message() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;

    let answers = join_all((0..8).map(|_| kit.send(&alice, dm, "k1", "hello"))).await;

    let sent: Vec<_> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(sent.iter().filter(|s| s.created).count(), 1);
    assert!(sent.iter().all(|s| s.message.id == sent[0].message.id));
    assert_eq!(kit.history(&bob, dm).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_replay_of_a_deleted_message_answers_its_tombstone() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    let sent = kit.send(&alice, dm, "k1", "oops").await.unwrap().message;
    kit.delete(&alice, dm, sent.id).await.unwrap();

    let again = kit.send(&alice, dm, "k1", "oops").await.unwrap();

    assert!(!again.created);
    assert_eq!(again.message.id, sent.id);
    assert!(again.message.is_deleted());
}

#[tokio::test]
async fn blank_content_names_the_field() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;

    let refused = kit.send(&alice, dm, "", "   ").await;

    let Err(AppError::Validation(errors)) = refused else {
        panic!("validation failure: {refused:?}");
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"content"), "{fields:?}");
    assert!(fields.contains(&"client_message_id"), "{fields:?}");
}
