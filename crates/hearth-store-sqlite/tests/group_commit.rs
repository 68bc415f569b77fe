//! The writer commits concurrent writes together: fewer transactions than writes, and every
//! write acknowledged only once its transaction is durable and visible to readers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code"
)]

use std::sync::Arc;

use hearth_store::MessageStore;
use support::{alice_and_bob, store_on_file, text_message};

mod support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_share_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(store_on_file(&dir).await.0);
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let before = store.commits();

    let sends = (0..400).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .send_message(text_message(dm, alice, &format!("k{i}"), "hello"))
                .await
                .unwrap()
        })
    });
    for send in sends.collect::<Vec<_>>() {
        let seq = send.await.unwrap().message().seq;
        // Acknowledged means committed: a reader sees it at once.
        assert!(
            !store
                .messages_after(dm, seq - 1, 1)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let transactions = store.commits() - before;
    assert!(
        transactions < 400,
        "400 concurrent sends took {transactions} transactions; group commit should batch them"
    );
}
