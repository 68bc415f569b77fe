//! Conformance of conversations: direct conversations are unique, standing, summaries, markers, contacts and presence.

use super::*;

pub async fn direct_conversation_is_created_once_with_event_at_seq_1(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let first = store
        .get_or_create_direct(alice.id, bob.id, now())
        .await
        .unwrap();
    assert!(first.created);
    let again = store
        .get_or_create_direct(bob.id, alice.id, now())
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert!(!again.created);

    let events = store.events_after(first.id, 0, 0, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq, 1);
    assert_eq!(events[0].actor_id, alice.id);
    match &events[0].kind {
        EventKind::ConversationCreated { member_ids } => {
            assert_eq!(
                member_ids.iter().collect::<BTreeSet<_>>(),
                [alice.id, bob.id].iter().collect()
            );
        }
        other => panic!("expected conversation_created, got {other:?}"),
    }
}

pub async fn direct_conversation_is_unique_under_concurrency(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let attempts = (0..16).map(|i| {
        let store = store.clone();
        let (a, b) = if i % 2 == 0 {
            (alice.id, bob.id)
        } else {
            (bob.id, alice.id)
        };
        tokio::spawn(async move { store.get_or_create_direct(a, b, now()).await.unwrap() })
    });
    let results: Vec<_> = futures_join(attempts).await;
    let ids: BTreeSet<_> = results.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
}

pub async fn direct_conversation_with_unknown_user_is_not_found(store: DynStore) {
    let alice = user(&store, "alice").await;
    let result = store
        .get_or_create_direct(alice.id, UserId::new(), now())
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound(Missing::User))),
        "{result:?}"
    );
}

pub async fn standing_tells_member_outsider_and_unknown(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    let bobs = store.standing(dm, bob.id).await.unwrap().unwrap();
    assert_eq!(bobs.conversation.id, dm);
    assert_eq!(
        bobs.conversation.kind,
        hearth_domain::ConversationKind::Direct
    );
    assert_eq!(
        bobs.conversation.settings,
        hearth_domain::Settings::default()
    );
    assert_eq!(bobs.conversation.created_by, alice.id);
    assert_eq!(bobs.conversation.member_count, 2);
    assert_eq!(
        bobs.member,
        Some(hearth_domain::Access {
            user_id: bob.id,
            role: hearth_domain::Role::Member,
            permissions: hearth_domain::Permissions::SEND,
            history_from: 0,
        })
    );
    let outsider = store.standing(dm, carol.id).await.unwrap().unwrap();
    assert_eq!(outsider.member, None);
    assert_eq!(
        store
            .standing(ConversationId::new(), alice.id)
            .await
            .unwrap(),
        None
    );
}

pub async fn summaries_carry_last_message_members_and_unread(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let with_bob = direct(&store, &alice, &bob).await;
    let with_carol = direct(&store, &alice, &carol).await;
    send(&store, with_bob, bob.id, "b1", "one").await;
    send(&store, with_bob, bob.id, "b2", "two").await;
    send(&store, with_bob, alice.id, "a1", "mine").await;
    send(&store, with_carol, carol.id, "c1", "latest").await;

    let list = store.conversation_summaries(alice.id).await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.conversation.id).collect::<Vec<_>>(),
        [with_carol, with_bob],
        "most recent first"
    );
    let bob_dm = &list[1];
    assert_eq!(bob_dm.unread_count, 2, "own messages are never unread");
    assert_eq!(bob_dm.last_seq, 4);
    assert_eq!(
        bob_dm.last_message.as_ref().map(|m| m.text().unwrap()),
        Some("mine")
    );
    assert_eq!(bob_dm.members.as_ref().map(Vec::len), Some(2));
    assert_eq!(bob_dm.me.user_id, alice.id);
    assert_eq!(
        bob_dm.conversation.kind,
        hearth_domain::ConversationKind::Direct
    );
    assert_eq!(bob_dm.conversation.member_count, 2);
    assert!(bob_dm.has_member(bob.id));

    let for_bob = store
        .conversation_summary(with_bob, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(for_bob.unread_count, 1);
    assert!(
        store
            .conversation_summary(with_bob, carol.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .conversation_summaries(UserId::new())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn mark_read_clamps_and_never_moves_back(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    for i in 0..3 {
        send(&store, dm, bob.id, &format!("k{i}"), "hi").await;
    }
    assert_eq!(store.mark_read(dm, alice.id, 3).await.unwrap(), (3, 1));
    assert_eq!(
        store.mark_read(dm, alice.id, 2).await.unwrap(),
        (3, 1),
        "markers never move back"
    );
    assert_eq!(
        store.mark_read(dm, alice.id, 1_000).await.unwrap(),
        (4, 0),
        "clamped to the last seq"
    );
    let outsider = store.mark_read(dm, carol.id, 1).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(Missing::Member))),
        "{outsider:?}"
    );
}

pub async fn mark_delivered_moves_only_the_delivered_marker(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    for i in 0..3 {
        send(&store, dm, bob.id, &format!("k{i}"), "hi").await;
    }
    assert_eq!(store.mark_delivered(dm, alice.id, 3).await.unwrap(), 3);
    assert_eq!(
        store.mark_delivered(dm, alice.id, 2).await.unwrap(),
        3,
        "never back"
    );
    assert_eq!(
        store.mark_delivered(dm, alice.id, 99).await.unwrap(),
        4,
        "clamped"
    );
    let markers = store.member_markers(dm).await.unwrap();
    let mine = markers.iter().find(|m| m.user_id == alice.id).unwrap();
    assert_eq!((mine.last_delivered_seq, mine.last_read_seq), (4, 0));
    let outsider = store.mark_delivered(dm, UserId::new(), 1).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(Missing::Member))),
        "{outsider:?}"
    );
}

pub async fn member_markers_list_every_member(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k", "hi").await;
    store.mark_read(dm, bob.id, 2).await.unwrap();
    let markers = store.member_markers(dm).await.unwrap();
    assert_eq!(markers.len(), 2);
    let bobs = markers.iter().find(|m| m.user_id == bob.id).unwrap();
    assert_eq!(
        (bobs.last_delivered_seq, bobs.last_read_seq),
        (2, 2),
        "reading delivers too"
    );
    let summary = store
        .conversation_summary(dm, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.markers().len(), 2);
    assert!(
        store
            .member_markers(ConversationId::new())
            .await
            .unwrap()
            .is_empty()
    );
}

/// The usernames of `contacts`, in order.
fn contact_names(contacts: Vec<crate::Contact>) -> Vec<String> {
    contacts
        .into_iter()
        .map(|c| c.user.username.as_str().to_owned())
        .collect()
}

pub async fn contacts_are_the_people_sharing_a_conversation(store: DynStore) {
    let (alice, bob, _dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let _dave = user(&store, "dave").await;
    direct(&store, &alice, &carol).await;
    direct(&store, &bob, &carol).await;
    assert_eq!(
        contact_names(store.contacts(alice.id, 100).await.unwrap()),
        ["bob", "carol"]
    );
    assert_eq!(
        contact_names(store.contacts(carol.id, 100).await.unwrap()),
        ["alice", "bob"]
    );
}

pub async fn contacts_leave_out_conversations_above_the_size_given(store: DynStore) {
    let (alice, _bob, _dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let dave = user(&store, "dave").await;
    group(&store, &alice, &[&carol, &dave], HistoryVisibility::All).await;
    assert_eq!(
        contact_names(store.contacts(alice.id, 3).await.unwrap()),
        ["bob", "carol", "dave"],
        "the group of three counts at 3"
    );
    assert_eq!(
        contact_names(store.contacts(alice.id, 2).await.unwrap()),
        ["bob"],
        "only the direct conversation at 2"
    );
    assert!(store.contacts(carol.id, 2).await.unwrap().is_empty());
}

pub async fn last_seen_is_recorded(store: DynStore) {
    let (alice, bob, _dm) = alice_and_bob(&store).await;
    let contacts = store.contacts(alice.id, 100).await.unwrap();
    assert_eq!(contacts[0].last_seen_at, None);
    let at = now();
    store.record_last_seen(bob.id, at).await.unwrap();
    assert_eq!(
        store.contacts(alice.id, 100).await.unwrap()[0].last_seen_at,
        Some(at)
    );
}
