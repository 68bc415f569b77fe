//! Conformance of privacy settings, blocks, the relation between two users and user lookups.

use hearth_domain::{Consent, Privacy, Relation};

use super::*;

pub async fn privacy_defaults_to_everyone_and_is_replaced(store: DynStore) {
    let alice = user(&store, "alice").await;
    assert_eq!(store.privacy(alice.id).await.unwrap(), Privacy::default());
    assert_eq!(Privacy::default().direct_messages, Consent::Everyone);
    let strict = Privacy {
        direct_messages: Consent::SharedConversations,
        group_invites: Consent::Nobody,
    };
    store.set_privacy(alice.id, strict).await.unwrap();
    assert_eq!(store.privacy(alice.id).await.unwrap(), strict);
    let unknown = store.set_privacy(UserId::new(), strict).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(Missing::User))),
        "{unknown:?}"
    );
}

pub async fn blocks_are_idempotent_and_listed_newest_first(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let first = now();
    assert!(store.block(alice.id, bob.id, first).await.unwrap());
    assert!(
        !store.block(alice.id, bob.id, now()).await.unwrap(),
        "blocking twice changes nothing"
    );
    let later = first + Duration::seconds(1);
    assert!(store.block(alice.id, carol.id, later).await.unwrap());
    let blocked = store.blocked_users(alice.id).await.unwrap();
    assert_eq!(
        blocked
            .iter()
            .map(|b| (b.user.clone(), b.since))
            .collect::<Vec<_>>(),
        [(carol.clone(), later), (bob.clone(), first)],
        "newest first, each since its first block"
    );
    assert!(store.blocked_users(bob.id).await.unwrap().is_empty());

    let unknown = store.block(alice.id, UserId::new(), now()).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(Missing::User))),
        "{unknown:?}"
    );

    assert!(store.unblock(alice.id, bob.id).await.unwrap());
    assert!(!store.unblock(alice.id, bob.id).await.unwrap());
    assert_eq!(store.blocked_users(alice.id).await.unwrap().len(), 1);
}

pub async fn relation_sees_blocks_both_ways_and_shared_conversations(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    assert_eq!(
        store.relation(alice.id, bob.id).await.unwrap(),
        Relation::default()
    );
    store.block(bob.id, alice.id, now()).await.unwrap();
    let blocked = Relation {
        blocked: true,
        share_a_conversation: false,
    };
    assert_eq!(store.relation(alice.id, bob.id).await.unwrap(), blocked);
    assert_eq!(store.relation(bob.id, alice.id).await.unwrap(), blocked);
    assert_eq!(
        store.relation(alice.id, carol.id).await.unwrap(),
        Relation::default()
    );

    let id = group(&store, &alice, &[&carol], HistoryVisibility::All).await;
    let acquainted = Relation {
        blocked: false,
        share_a_conversation: true,
    };
    assert_eq!(
        store.relation(carol.id, alice.id).await.unwrap(),
        acquainted
    );
    store
        .remove_member(id, carol.id, crate::Departure::Left, now())
        .await
        .unwrap();
    assert_eq!(
        store.relation(carol.id, alice.id).await.unwrap(),
        Relation::default(),
        "a conversation one of them left is not shared"
    );
    direct(&store, &alice, &carol).await;
    assert_eq!(
        store.relation(alice.id, carol.id).await.unwrap(),
        acquainted
    );
}

pub async fn blocked_by_names_who_blocked_the_user(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dave = user(&store, "dave").await;
    store.block(bob.id, alice.id, now()).await.unwrap();
    store.block(dave.id, alice.id, now()).await.unwrap();
    store.block(alice.id, carol.id, now()).await.unwrap();
    let mut found = store
        .blocked_by(alice.id, &[bob.id, carol.id, dave.id, UserId::new()])
        .await
        .unwrap();
    found.sort();
    let mut expected = vec![bob.id, dave.id];
    expected.sort();
    assert_eq!(found, expected);
    assert!(store.blocked_by(alice.id, &[]).await.unwrap().is_empty());
    assert!(
        store
            .blocked_by(carol.id, &[bob.id, dave.id])
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn users_are_found_by_username_and_email(store: DynStore) {
    let alice = store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("alice").unwrap(),
            display_name: DisplayName::parse("Alice").unwrap(),
            password_hash: "x".to_owned(),
            email: Some("Alice@Example.org".to_owned()),
            created_at: now(),
        })
        .await
        .unwrap();
    let bob = user(&store, "bob").await;
    assert_eq!(
        store
            .user_by_username(&Username::parse("ALICE").unwrap())
            .await
            .unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store
            .user_by_username(&Username::parse("bob").unwrap())
            .await
            .unwrap(),
        Some(bob)
    );
    assert_eq!(
        store
            .user_by_username(&Username::parse("nobody").unwrap())
            .await
            .unwrap(),
        None
    );
    for email in [
        "alice@example.org",
        "ALICE@EXAMPLE.ORG",
        "Alice@Example.org",
    ] {
        assert_eq!(
            store.user_by_email(email).await.unwrap(),
            Some(alice.clone()),
            "{email}"
        );
    }
    assert_eq!(store.user_by_email("bob@example.org").await.unwrap(), None);
}
