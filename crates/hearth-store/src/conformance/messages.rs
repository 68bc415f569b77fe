//! Conformance of messages: the idempotent, gap-free send and history reads.

use super::*;

pub async fn send_assigns_the_next_seq(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let first = send(&store, dm, alice.id, "k1", "hello").await;
    let second = send(&store, dm, bob.id, "k2", "hi").await;
    assert!(matches!(first, SendOutcome::Created(_)));
    assert_eq!(
        first.message().seq,
        2,
        "seq 1 is the conversation's creation"
    );
    assert_eq!(second.message().seq, 3);
    assert_eq!(first.message().text().unwrap(), "hello");
}

pub async fn a_sent_message_is_exactly_what_is_stored(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let mut new = new_message(dm, alice.id, "k1", "hi @bob");
    new.mentions = vec![bob.id];
    // A time finer than storage keeps: the answer must already be what a read gives back.
    new.created_at = time::OffsetDateTime::now_utc();
    let SendOutcome::Created(sent) = store.send_message(new).await.unwrap() else {
        panic!("first send must create");
    };
    let stored = store.message(dm, sent.id).await.unwrap().unwrap();
    assert_eq!(sent, stored);
}

pub async fn send_replays_the_same_key_and_content(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let SendOutcome::Created(original) = send(&store, dm, alice.id, "same", "hello").await else {
        panic!("first send must create");
    };
    let replay = send(&store, dm, alice.id, "same", "hello").await;
    assert_eq!(replay, SendOutcome::Replayed(original));
    // Another sender may use the same key: keys are per sender.
    assert!(matches!(
        send(&store, dm, bob.id, "same", "hello").await,
        SendOutcome::Created(_)
    ));
    assert_eq!(store.messages_after(dm, 0, 10).await.unwrap().len(), 2);
}

pub async fn send_with_reused_key_and_other_content_conflicts(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k", "hello").await;
    let other = store
        .send_message(new_message(dm, alice.id, "k", "different"))
        .await;
    assert!(
        matches!(
            other,
            Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused))
        ),
        "{other:?}"
    );
    // The failed send took no seq.
    assert_eq!(
        send(&store, dm, alice.id, "k2", "next").await.message().seq,
        3
    );
}

pub async fn send_to_unknown_conversation_is_not_found(store: DynStore) {
    let alice = user(&store, "alice").await;
    let result = store
        .send_message(new_message(ConversationId::new(), alice.id, "k", "hello"))
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound(Missing::Conversation))),
        "{result:?}"
    );
}

pub async fn concurrent_sends_get_gap_free_seqs(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sends = (0..200).map(|i| {
        let store = store.clone();
        let sender = if i % 2 == 0 { alice.id } else { bob.id };
        tokio::spawn(
            async move { send(&store, dm, sender, &format!("k{i}"), &format!("m{i}")).await },
        )
    });
    let outcomes = futures_join(sends).await;
    let seqs: BTreeSet<i64> = outcomes.iter().map(|o| o.message().seq).collect();
    assert_eq!(seqs, (2..=201).collect::<BTreeSet<_>>());
}

pub async fn concurrent_retries_of_one_key_store_one_message(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let retries = (0..20).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { send(&store, dm, alice.id, "retry", "hello").await })
    });
    let outcomes = futures_join(retries).await;
    let ids: BTreeSet<MessageId> = outcomes.iter().map(|o| o.message().id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, SendOutcome::Created(_)))
            .count(),
        1
    );
    assert_eq!(store.messages_after(dm, 0, 100).await.unwrap().len(), 1);
}

pub async fn message_by_client_id_finds_the_senders_key(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "key", "hello").await;
    let key = ClientMessageId::parse("key").unwrap();
    assert_eq!(
        store
            .message_by_client_id(alice.id, &key)
            .await
            .unwrap()
            .as_ref(),
        Some(sent.message())
    );
    assert_eq!(
        store.message_by_client_id(bob.id, &key).await.unwrap(),
        None
    );
}

pub async fn messages_page_after_a_seq(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    for i in 0..5 {
        send(&store, dm, alice.id, &format!("k{i}"), &format!("m{i}")).await;
    }
    let page = store.messages_after(dm, 3, 2).await.unwrap();
    assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
    let rest = store.messages_after(dm, 5, 10).await.unwrap();
    assert_eq!(rest.iter().map(|m| m.seq).collect::<Vec<_>>(), [6]);
    assert!(
        store
            .messages_after(ConversationId::new(), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn recent_messages_are_the_latest_oldest_first(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    for i in 0..5 {
        send(&store, dm, alice.id, &format!("k{i}"), &format!("m{i}")).await;
    }
    let recent = store.recent_messages(dm, 0, 3).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.text().unwrap()).collect::<Vec<_>>(),
        ["m2", "m3", "m4"]
    );
}
