//! The full-text indexes trail the messages (see the store's `search` module): a search still
//! finds every message sent before it.
#![allow(clippy::unwrap_used, missing_docs, reason = "test code")]

use hearth_domain::{ConversationId, MessageId, SearchText, UserId};
use hearth_store::{MessageSearch, MessageStore, SearchStore};
use rusqlite::{Connection, params};
use support::{alice_and_bob, store_on_file, text_message};

mod support;

/// What `viewer` searches for in `conversation`: "greeting".
fn greetings(viewer: UserId, conversation: ConversationId) -> MessageSearch {
    MessageSearch {
        viewer,
        conversation: Some(conversation),
        text: SearchText::parse("q", "greeting").unwrap(),
        after: None,
        limit: 10,
    }
}

#[tokio::test]
async fn a_search_finds_a_message_the_indexes_have_not_reached() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_on_file(&dir).await;
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    store
        .send_message(text_message(dm, alice, "k1", "an indexed greeting"))
        .await
        .unwrap();
    // A send committed under load, before the writer's indexing pass: a message row past
    // `indexed_upto`, in no index yet.
    let late = Connection::open(&path).unwrap();
    late.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    late.execute(
        "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, \
             created_at, search_rowid) \
         VALUES (?1, ?2, ?3, 'k2', 1000, 'a pending greeting', 0, \
             (SELECT max(search_rowid) + 1 FROM messages))",
        params![MessageId::new().as_uuid(), dm.as_uuid(), alice.as_uuid()],
    )
    .unwrap();

    let hits = store.search_messages(greetings(alice, dm)).await.unwrap();

    let mut found: Vec<String> = hits
        .into_iter()
        .filter_map(|hit| hit.message.content)
        .map(|content| content.as_str().to_owned())
        .collect();
    found.sort();
    assert_eq!(found, ["a pending greeting", "an indexed greeting"]);
}

#[tokio::test]
async fn a_search_with_every_message_indexed_does_not_wait_for_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_on_file(&dir).await;
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    store
        .send_message(text_message(dm, alice, "k1", "a greeting"))
        .await
        .unwrap();
    // The first search indexes the message.
    let first = store.search_messages(greetings(alice, dm)).await.unwrap();
    assert_eq!(first.len(), 1);
    // Another connection holds the write lock: anything that goes through the writer now
    // waits for it (and fails after the writer's busy timeout).
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();

    let hits = store.search_messages(greetings(alice, dm)).await;

    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(hits.unwrap().len(), 1);
}
