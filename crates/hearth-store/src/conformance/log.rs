//! Conformance of the conversation log read for sync, and health.

use super::*;

pub async fn events_after_return_the_log_in_order(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k1", "one").await;
    send(&store, dm, bob.id, "k2", "two").await;
    let all = store.events_after(dm, 0, 0, 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        all.iter().map(|e| e.kind.type_name()).collect::<Vec<_>>(),
        ["conversation_created", "new_message", "new_message"]
    );
    match &all[2].kind {
        EventKind::NewMessage(message) => {
            assert_eq!(message.text(), Some("two"));
            assert_eq!(message.sender_id, bob.id);
        }
        other => panic!("expected a message, got {other:?}"),
    }
    let after = store.events_after(dm, 2, 0, 10).await.unwrap();
    assert_eq!(after.iter().map(|e| e.seq).collect::<Vec<_>>(), [3]);
    assert_eq!(store.events_after(dm, 1, 0, 1).await.unwrap().len(), 1);
}

pub async fn conversation_cursors_list_members_conversations(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    send(&store, dm, alice.id, "k1", "one").await;
    assert_eq!(
        store.conversation_cursors(alice.id).await.unwrap(),
        [crate::ConversationCursor {
            conversation_id: dm,
            last_seq: 2,
            history_from: 0,
        }]
    );
    assert!(
        store
            .conversation_cursors(carol.id)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn ping_answers(store: DynStore) {
    store.ping().await.unwrap();
}
