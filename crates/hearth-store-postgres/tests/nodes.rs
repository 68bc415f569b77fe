//! What only a shared database can show: several stores on one database (two pools stand for
//! two nodes) keep the guarantees of one, and a store meets a lost database with
//! `Unavailable`, then serves again by itself.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_domain::{
    ClientMessageId, DisplayName, MessageContent, MessageId, User, UserId, Username,
};
use hearth_store::conformance::now;
use hearth_store::{
    ConversationStore, HealthStore, MessageStore, NewMessage, NewUser, SendOutcome, StoreError,
    UserStore,
};
use hearth_store_postgres::testing::{TestDatabase, server_url};
use hearth_store_postgres::{OpenError, PostgresOptions, PostgresStore};

/// Two stores ("nodes") on one fresh database.
async fn two_nodes() -> (TestDatabase, Arc<PostgresStore>, Arc<PostgresStore>) {
    let database = TestDatabase::create().await.unwrap();
    let (a, b) = tokio::join!(
        PostgresStore::open(database.url(), PostgresOptions::default()),
        PostgresStore::open(database.url(), PostgresOptions::default()),
    );
    (database, Arc::new(a.unwrap()), Arc::new(b.unwrap()))
}

async fn user(store: &PostgresStore, name: &str) -> User {
    store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            password_hash: "-".to_owned(),
            email: None,
            created_at: now(),
        })
        .await
        .unwrap()
}

fn message(conversation: hearth_domain::ConversationId, sender: UserId, key: &str) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        conversation_id: conversation,
        sender_id: sender,
        client_message_id: ClientMessageId::parse(key).unwrap(),
        content: MessageContent::parse("hello").unwrap(),
        created_at: now(),
        reply_to: None,
        mentions: Vec::new(),
        attachments: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_starting_together_migrate_once() {
    let (database, a, _b) = two_nodes().await;
    assert_eq!(a.migrate().await.unwrap(), 0, "nothing left to apply");
    drop(database);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_through_two_nodes_keep_seq_gap_free() {
    let (_database, a, b) = two_nodes().await;
    let alice = user(&a, "alice").await;
    let bob = user(&b, "bob").await;
    let dm = a
        .get_or_create_direct(alice.id, bob.id, now())
        .await
        .unwrap()
        .id;

    let sends = (0..200).map(|i| {
        let (node, sender) = if i % 2 == 0 {
            (a.clone(), alice.id)
        } else {
            (b.clone(), bob.id)
        };
        tokio::spawn(async move {
            node.send_message(message(dm, sender, &format!("k{i}")))
                .await
        })
    });
    let mut seqs = BTreeSet::new();
    for send in sends.collect::<Vec<_>>() {
        seqs.insert(send.await.unwrap().unwrap().message().seq);
    }

    assert_eq!(seqs, (2..=201).collect::<BTreeSet<_>>());
    let stored = b.messages_after(dm, 0, 500).await.unwrap();
    assert_eq!(stored.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_of_one_key_through_two_nodes_stores_one_message() {
    let (_database, a, b) = two_nodes().await;
    let alice = user(&a, "alice").await;
    let bob = user(&a, "bob").await;
    let dm = a
        .get_or_create_direct(alice.id, bob.id, now())
        .await
        .unwrap()
        .id;
    let first = message(dm, alice.id, "retry");

    let retries = (0..20).map(|i| {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        // Each retry carries a fresh id, as a client's retry reaching another node would.
        let retry = NewMessage {
            id: MessageId::new(),
            ..first.clone()
        };
        tokio::spawn(async move { node.send_message(retry).await })
    });
    let mut outcomes = Vec::new();
    for retry in retries.collect::<Vec<_>>() {
        outcomes.push(retry.await.unwrap().unwrap());
    }

    let ids: BTreeSet<MessageId> = outcomes.iter().map(|o| o.message().id).collect();
    let seqs: BTreeSet<i64> = outcomes.iter().map(|o| o.message().seq).collect();
    assert_eq!((ids.len(), seqs.len()), (1, 1), "one message, one seq");
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, SendOutcome::Created(_)))
        .count();
    assert_eq!(created, 1);
    assert_eq!(b.messages_after(dm, 0, 100).await.unwrap().len(), 1);
    // The seq the losers took was rolled back with them: the next send follows directly.
    let next = a.send_message(message(dm, bob.id, "next")).await.unwrap();
    assert_eq!(next.message().seq, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_direct_conversation_per_pair_through_two_nodes() {
    let (_database, a, b) = two_nodes().await;
    let alice = user(&a, "alice").await;
    let bob = user(&a, "bob").await;
    let calls = (0..10).map(|i| {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (x, y) = if i % 3 == 0 {
            (alice.id, bob.id)
        } else {
            (bob.id, alice.id)
        };
        tokio::spawn(async move { node.get_or_create_direct(x, y, now()).await })
    });
    let mut ids = BTreeSet::new();
    let mut created = 0;
    for call in calls.collect::<Vec<_>>() {
        let direct = call.await.unwrap().unwrap();
        ids.insert(direct.id);
        created += usize::from(direct.created);
    }
    assert_eq!((ids.len(), created), (1, 1));
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_at_open_quickly() {
    let started = Instant::now();
    // Port 9 (discard) has nothing listening on loopback.
    let opened = PostgresStore::open(
        "postgres://postgres@127.0.0.1:9/hearth",
        PostgresOptions::default(),
    )
    .await;
    assert!(
        matches!(opened, Err(OpenError::Store(StoreError::Unavailable(_)))),
        "{opened:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_whose_connections_were_cut_serves_again_by_itself() {
    let database = TestDatabase::create().await.unwrap();
    let store = PostgresStore::open(database.url(), PostgresOptions::default())
        .await
        .unwrap();
    store.ping().await.unwrap();

    let (admin, connection) = tokio_postgres::connect(&server_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .execute(
            // The timeout makes it wait until each backend has exited.
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&database.name()],
        )
        .await
        .unwrap();

    // The first call may meet a cut connection (Unavailable); the pool replaces it.
    let started = Instant::now();
    let first = store.ping().await;
    assert!(
        matches!(first, Ok(()) | Err(StoreError::Unavailable(_))),
        "{first:?}"
    );
    store.ping().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(store.figures().waiting, 0);
}
