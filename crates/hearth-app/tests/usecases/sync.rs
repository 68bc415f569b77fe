//! Sync: bootstrap carries each conversation with its latest messages; changes are the log
//! after each cursor (from the start when the client names none), and cursors of
//! conversations the caller left are listed as gone.

use std::collections::HashMap;

use hearth_testkit::TestKit;

#[tokio::test]
async fn bootstrap_carries_each_conversation_with_its_latest_messages() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "hello").await;

    let boot = kit.app.sync.bootstrap(bob.caller).await.unwrap();

    assert_eq!(boot.me.id, bob.id());
    assert_eq!(boot.conversations.len(), 1);
    let (id, messages) = &boot.recent_messages[0];
    assert_eq!(*id, dm);
    assert_eq!(messages[0].text(), Some("hello"));
}

#[tokio::test]
async fn changes_are_the_log_after_the_cursor() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let first = kit.post(&alice, dm, "one").await;
    kit.post(&alice, dm, "two").await;
    let cursors = HashMap::from([(dm, first.seq)]);

    let changes = kit
        .app
        .sync
        .changes(bob.caller, &cursors, None)
        .await
        .unwrap();

    let log = &changes.conversations[0];
    assert!(log.events.iter().all(|e| e.seq > first.seq));
    let said = crate::support::said(&log.events);
    assert_eq!(said, [Some("two")]);
}

#[tokio::test]
async fn a_current_cursor_has_no_changes() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let last = kit.post(&alice, dm, "one").await;
    let cursors = HashMap::from([(dm, last.seq)]);

    let changes = kit
        .app
        .sync
        .changes(bob.caller, &cursors, None)
        .await
        .unwrap();

    assert!(changes.conversations.is_empty());
    assert!(!changes.has_more());
}

#[tokio::test]
async fn the_cursor_of_a_conversation_left_is_gone() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;
    kit.post(&owner, group, "hello").await;
    kit.app
        .conversations
        .leave(bob.caller, group)
        .await
        .unwrap();
    let cursors = HashMap::from([(group, 0)]);

    let changes = kit
        .app
        .sync
        .changes(bob.caller, &cursors, None)
        .await
        .unwrap();

    assert_eq!(changes.gone, [group]);
    assert!(changes.conversations.is_empty());
}

#[tokio::test]
async fn a_page_of_changes_says_when_more_follow() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    for text in ["one", "two", "three"] {
        kit.post(&alice, dm, text).await;
    }

    let changes = kit
        .app
        .sync
        .changes(bob.caller, &HashMap::new(), Some(2))
        .await
        .unwrap();

    assert_eq!(changes.conversations[0].events.len(), 2);
    assert!(changes.has_more());
}
