//! Migration 0005: a database written before it (every send also wrote a `new_message` row in
//! `conversation_events`) reads the same conversation log after it, each message once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code"
)]

use hearth_domain::{ConversationId, EventKind};
use hearth_store::{MessageStore, SyncStore};
use hearth_store_sqlite::SqliteStore;
use support::{alice_and_bob, store_on_file, text_message};

mod support;

const MIGRATION: &str = include_str!("../migrations/0005_messages_are_their_own_log_entry.sql");

/// The log as `(seq, kind)`, with the message id of `new_message` entries.
async fn log(store: &SqliteStore, conversation: ConversationId) -> Vec<(i64, String)> {
    store
        .events_after(conversation, 0, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|event| {
            let kind = match &event.kind {
                EventKind::NewMessage(message) => format!("new_message {}", message.id),
                other => format!("{other:?}").chars().take(20).collect(),
            };
            (event.seq, kind)
        })
        .collect()
}

#[tokio::test]
async fn a_log_written_before_0005_reads_each_message_once_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_on_file(&dir).await;
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let sent = store
        .send_message(text_message(dm, alice, "k1", "hello"))
        .await
        .unwrap();
    let message = sent.message().id;
    let current = log(&store, dm).await;
    assert_eq!(current.len(), 2, "creation and the message: {current:?}");
    assert_eq!(current.get(1), Some(&(2, format!("new_message {message}"))));

    // What a send wrote before 0005: the same entry again, as a row of its own.
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute(
        "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, message_id, created_at) \
         SELECT conversation_id, seq, 'new_message', sender_id, id, created_at FROM messages",
        [],
    )
    .unwrap();
    assert_eq!(log(&store, dm).await.len(), 3, "the old row shows twice");

    old.execute_batch(MIGRATION).unwrap();
    assert_eq!(log(&store, dm).await, current);
    store.close().await;
}
