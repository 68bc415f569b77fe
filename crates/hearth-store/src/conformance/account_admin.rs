//! Conformance of account administration and mailed tokens: passwords, disabling, signing out
//! everywhere, and tokens that work once.

use crate::{NewAccountToken, TokenPurpose, UsedToken};

use super::*;

fn mailed(user: UserId, hash: &str, purpose: TokenPurpose, ttl: Duration) -> NewAccountToken {
    let created_at = now();
    NewAccountToken {
        token_hash: TokenHash(hash.to_owned()),
        user_id: user,
        purpose,
        email: (purpose == TokenPurpose::EmailVerification).then(|| "a@example.org".to_owned()),
        created_at,
        expires_at: created_at + ttl,
    }
}

pub async fn a_new_password_replaces_the_old_hash(store: DynStore) {
    let alice = user(&store, "alice").await;
    store
        .set_password(alice.id, "new-hash".to_owned(), now())
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(alice.id).await.unwrap().as_deref(),
        Some("new-hash")
    );
    let unknown = store
        .set_password(UserId::new(), "x".to_owned(), now())
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(Missing::User))),
        "{unknown:?}"
    );
    assert_eq!(store.password_hash(UserId::new()).await.unwrap(), None);
}

pub async fn disabling_shows_in_the_account_and_the_credentials(store: DynStore) {
    let alice = user(&store, "alice").await;
    let at = now();
    store.set_disabled(alice.id, Some(at)).await.unwrap();
    let account = store.account(alice.id).await.unwrap().unwrap();
    assert_eq!(account.disabled_at, Some(at));
    assert_eq!(account.user, alice);
    let name = Username::parse("alice").unwrap();
    let credentials = store.credentials(&name).await.unwrap().unwrap();
    assert_eq!(credentials.disabled_at, Some(at));

    store.set_disabled(alice.id, None).await.unwrap();
    let credentials = store.credentials(&name).await.unwrap().unwrap();
    assert_eq!(credentials.disabled_at, None);
    let unknown = store.set_disabled(UserId::new(), None).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(Missing::User))),
        "{unknown:?}"
    );
}

pub async fn accounts_are_listed_by_username_with_their_email(store: DynStore) {
    user(&store, "carol").await;
    store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("alice").unwrap(),
            display_name: DisplayName::parse("Alice").unwrap(),
            password_hash: "x".to_owned(),
            email: Some("alice@example.org".to_owned()),
            created_at: now(),
        })
        .await
        .unwrap();
    let listed = store.accounts().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|a| a.user.username.as_str()).collect();
    assert_eq!(names, ["alice", "carol"]);
    assert_eq!(listed[0].email.as_deref(), Some("alice@example.org"));
    assert_eq!(listed[0].user.email_verified_at, None);
    assert_eq!(listed[1].email, None);
    assert_eq!(store.account(UserId::new()).await.unwrap(), None);
}

pub async fn revoking_sessions_of_a_user_keeps_the_named_one_and_spares_others(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let (one, two, kept, bobs) = (
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
    );
    for (session, owner, hash) in [
        (one, alice.id, "a1"),
        (two, alice.id, "a2"),
        (kept, alice.id, "a3"),
        (bobs, bob.id, "b1"),
    ] {
        store
            .create_session(token(session, owner, hash), &device("laptop"))
            .await
            .unwrap();
    }
    let mut revoked = store
        .revoke_sessions_of(alice.id, Some(kept), now())
        .await
        .unwrap();
    revoked.sort_by_key(|s| s.as_uuid());
    let mut expected = vec![one, two];
    expected.sort_by_key(|s| s.as_uuid());
    assert_eq!(revoked, expected);
    let state = |hash: &'static str| {
        let store = store.clone();
        async move {
            store
                .refresh_token(&TokenHash(hash.to_owned()))
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert!(state("a1").await.session_revoked_at.is_some());
    assert!(state("a1").await.revoked_at.is_some());
    assert!(state("a2").await.session_revoked_at.is_some());
    assert!(state("a3").await.session_revoked_at.is_none());
    assert!(state("a3").await.revoked_at.is_none());
    assert!(state("b1").await.session_revoked_at.is_none());

    let all = store
        .revoke_sessions_of(alice.id, None, now())
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![kept],
        "already revoked sessions are not revoked again"
    );
}

pub async fn a_mailed_token_works_once_and_kills_its_siblings(store: DynStore) {
    let alice = user(&store, "alice").await;
    let day = Duration::days(1);
    for hash in ["r1", "r2"] {
        store
            .add_account_token(mailed(alice.id, hash, TokenPurpose::PasswordReset, day))
            .await
            .unwrap();
    }
    store
        .add_account_token(mailed(alice.id, "v1", TokenPurpose::EmailVerification, day))
        .await
        .unwrap();
    let hash = |h: &str| TokenHash(h.to_owned());
    assert_eq!(
        store
            .use_account_token(&hash("r1"), TokenPurpose::EmailVerification, now())
            .await
            .unwrap(),
        None,
        "a token is only good for its purpose"
    );
    assert_eq!(
        store
            .use_account_token(&hash("r1"), TokenPurpose::PasswordReset, now())
            .await
            .unwrap(),
        Some(UsedToken {
            user_id: alice.id,
            email: None
        })
    );
    for used in ["r1", "r2"] {
        assert_eq!(
            store
                .use_account_token(&hash(used), TokenPurpose::PasswordReset, now())
                .await
                .unwrap(),
            None,
            "{used} is used up"
        );
    }
    assert_eq!(
        store
            .use_account_token(&hash("v1"), TokenPurpose::EmailVerification, now())
            .await
            .unwrap(),
        Some(UsedToken {
            user_id: alice.id,
            email: Some("a@example.org".to_owned())
        }),
        "another purpose's token is untouched"
    );
}

pub async fn an_expired_or_unknown_token_does_not_work(store: DynStore) {
    let alice = user(&store, "alice").await;
    store
        .add_account_token(mailed(
            alice.id,
            "old",
            TokenPurpose::PasswordReset,
            Duration::seconds(1),
        ))
        .await
        .unwrap();
    let later = now() + Duration::seconds(2);
    let hash = |h: &str| TokenHash(h.to_owned());
    assert_eq!(
        store
            .use_account_token(&hash("old"), TokenPurpose::PasswordReset, later)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .use_account_token(&hash("nope"), TokenPurpose::PasswordReset, now())
            .await
            .unwrap(),
        None
    );
}

pub async fn concurrent_uses_of_one_token_succeed_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    store
        .add_account_token(mailed(
            alice.id,
            "race",
            TokenPurpose::PasswordReset,
            Duration::days(1),
        ))
        .await
        .unwrap();
    let handles = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .use_account_token(
                    &TokenHash("race".to_owned()),
                    TokenPurpose::PasswordReset,
                    now(),
                )
                .await
                .unwrap()
        })
    });
    let results = futures_join(handles).await;
    assert_eq!(results.iter().filter(|r| r.is_some()).count(), 1);
}

pub async fn an_address_is_marked_verified_only_while_it_is_the_accounts(store: DynStore) {
    let id = UserId::new();
    store
        .create_user(NewUser {
            id,
            username: Username::parse("alice").unwrap(),
            display_name: DisplayName::parse("Alice").unwrap(),
            password_hash: "x".to_owned(),
            email: Some("alice@example.org".to_owned()),
            created_at: now(),
        })
        .await
        .unwrap();
    assert!(
        !store
            .mark_email_verified(id, "other@example.org", now())
            .await
            .unwrap()
    );
    assert_eq!(
        store.user(id).await.unwrap().unwrap().email_verified_at,
        None
    );
    let at = now();
    assert!(
        store
            .mark_email_verified(id, "ALICE@example.org", at)
            .await
            .unwrap()
    );
    assert_eq!(
        store.user(id).await.unwrap().unwrap().email_verified_at,
        Some(at)
    );
    let name = Username::parse("alice").unwrap();
    let credentials = store.credentials(&name).await.unwrap().unwrap();
    assert_eq!(credentials.user.email_verified_at, Some(at));
    assert!(
        !store
            .mark_email_verified(UserId::new(), "alice@example.org", now())
            .await
            .unwrap()
    );
}

pub async fn messages_by_sender_are_their_live_messages_everywhere_by_id(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let other = direct(&store, &alice, &carol).await;
    let mut sent = Vec::new();
    for (conversation, key) in [(dm, "a1"), (other, "a2"), (dm, "a3"), (dm, "a4")] {
        sent.push(
            send(&store, conversation, alice.id, key, key)
                .await
                .message()
                .id,
        );
    }
    send(&store, dm, bob.id, "b1", "from bob").await;
    store
        .delete_message(crate::MessageDeletion {
            conversation_id: dm,
            message_id: sent[2],
            deleter: alice.id,
            at: now(),
        })
        .await
        .unwrap();

    let first = store.messages_by_sender(alice.id, None, 2).await.unwrap();
    let ids: Vec<MessageId> = first.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![sent[0], sent[1]]);
    assert_eq!(first[1].conversation_id, other);
    assert_eq!(first[0].text(), Some("a1"));
    let rest = store
        .messages_by_sender(alice.id, Some(sent[1]), 10)
        .await
        .unwrap();
    let ids: Vec<MessageId> = rest.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![sent[3]], "the deleted one is left out");
}

pub async fn an_erased_account_keeps_nothing_of_its_person(store: DynStore) {
    let alice = store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("alice").unwrap(),
            display_name: DisplayName::parse("Alice").unwrap(),
            password_hash: "hash".to_owned(),
            email: Some("alice@example.org".to_owned()),
            created_at: now(),
        })
        .await
        .unwrap();
    store
        .add_account_token(mailed(
            alice.id,
            "reset",
            TokenPurpose::PasswordReset,
            Duration::hours(1),
        ))
        .await
        .unwrap();
    store
        .update_profile(
            alice.id,
            crate::ProfileChange {
                avatar: Some(Some(hearth_domain::AvatarRef::new(
                    hearth_domain::PictureFormat::Jpeg,
                ))),
                ..crate::ProfileChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    let at = now();
    store
        .erase_account(crate::ErasedAccount {
            user: alice.id,
            username: Username::from_trusted("deleted-0123456789abcdef".to_owned()),
            display_name: DisplayName::parse("Deleted user").unwrap(),
            at,
        })
        .await
        .unwrap();

    let account = store.account(alice.id).await.unwrap().unwrap();
    assert_eq!(account.user.username.as_str(), "deleted-0123456789abcdef");
    assert_eq!(account.user.display_name.as_str(), "Deleted user");
    assert_eq!(account.user.avatar, None, "the picture is gone");
    assert_eq!(account.email, None);
    assert_eq!(account.disabled_at, Some(at));
    assert_eq!(
        store.password_hash(alice.id).await.unwrap().as_deref(),
        Some("")
    );
    assert!(
        store
            .user_by_email("alice@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .user_by_username(&Username::parse("alice").unwrap())
            .await
            .unwrap()
            .is_none(),
        "the old name is free again"
    );
    assert!(
        store
            .use_account_token(
                &TokenHash("reset".to_owned()),
                TokenPurpose::PasswordReset,
                now()
            )
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store
            .erase_account(crate::ErasedAccount {
                user: UserId::new(),
                username: Username::from_trusted("deleted-ffffffffffffffff".to_owned()),
                display_name: DisplayName::parse("Deleted user").unwrap(),
                at,
            })
            .await,
        Err(StoreError::NotFound(Missing::User))
    ));
}

pub async fn a_changed_address_is_proven_and_must_be_free(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("bob").unwrap(),
            display_name: DisplayName::parse("Bob").unwrap(),
            password_hash: "hash".to_owned(),
            email: Some("bob@example.org".to_owned()),
            created_at: now(),
        })
        .await
        .unwrap();
    let at = now();

    store
        .change_email(alice.id, "alice@example.org", at)
        .await
        .unwrap();
    let account = store.account(alice.id).await.unwrap().unwrap();
    assert_eq!(account.email.as_deref(), Some("alice@example.org"));
    assert_eq!(account.user.email_verified_at, Some(at));
    assert!(matches!(
        store.change_email(alice.id, "bob@example.org", at).await,
        Err(StoreError::Conflict(ConflictKind::EmailTaken))
    ));
    assert_eq!(
        store
            .account(bob.id)
            .await
            .unwrap()
            .unwrap()
            .email
            .as_deref(),
        Some("bob@example.org")
    );
    assert!(matches!(
        store.change_email(UserId::new(), "x@example.org", at).await,
        Err(StoreError::NotFound(Missing::User))
    ));
}
