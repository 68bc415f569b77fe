//! Conformance of sessions and refresh tokens: rotation happens once, revocation covers the
//! family, and the list of a user's sessions shows the live ones with their last use.

use super::*;

pub async fn refresh_token_rotates_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    let session = SessionId::new();
    let first = token(session, alice.id, "h1");
    store
        .create_session(first.clone(), &device("laptop"))
        .await
        .unwrap();
    let record = store
        .refresh_token(&TokenHash("h1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.id, first.id);
    assert_eq!(record.session_id, session);
    assert_eq!(record.revoked_at, None);

    let second = token(session, alice.id, "h2");
    assert!(
        store
            .rotate_refresh_token(first.id, second.clone())
            .await
            .unwrap()
    );
    let third = token(session, alice.id, "h3");
    assert!(
        !store.rotate_refresh_token(first.id, third).await.unwrap(),
        "a rotated token rotates only once"
    );
    assert!(
        store
            .refresh_token(&TokenHash("h3".to_owned()))
            .await
            .unwrap()
            .is_none()
    );

    let old = store
        .refresh_token(&TokenHash("h1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.replaced_by_token_id, Some(second.id));
    assert_eq!(old.revoked_at, Some(second.issued_at));
    let new = store
        .refresh_token(&TokenHash("h2".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.revoked_at, None);

    store
        .add_refresh_token(token(session, alice.id, "h4"))
        .await
        .unwrap();
    assert!(
        store
            .refresh_token(&TokenHash("h4".to_owned()))
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn revoking_a_session_revokes_its_tokens(store: DynStore) {
    let alice = user(&store, "alice").await;
    let session = SessionId::new();
    let first = token(session, alice.id, "s1");
    store
        .create_session(first.clone(), &device("laptop"))
        .await
        .unwrap();
    let other = SessionId::new();
    store
        .create_session(token(other, alice.id, "o1"), &device("laptop"))
        .await
        .unwrap();

    store.revoke_session(session, now()).await.unwrap();
    let record = store
        .refresh_token(&TokenHash("s1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert!(record.session_revoked_at.is_some());
    assert!(record.revoked_at.is_some());
    assert!(
        !store
            .rotate_refresh_token(first.id, token(session, alice.id, "s2"))
            .await
            .unwrap()
    );
    let untouched = store
        .refresh_token(&TokenHash("o1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.session_revoked_at, None);
}

pub async fn sessions_of_a_user_are_the_live_ones_most_recently_used_first(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let (laptop, phone, ended, expired) = (
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
    );
    let first = token(laptop, alice.id, "l1");
    store
        .create_session(first.clone(), &device("Firefox on Linux"))
        .await
        .unwrap();
    store
        .create_session(token(phone, alice.id, "p1"), &device("Alice's phone"))
        .await
        .unwrap();
    store
        .create_session(token(ended, alice.id, "e1"), &device("old"))
        .await
        .unwrap();
    store.revoke_session(ended, now()).await.unwrap();
    let mut stale = token(expired, alice.id, "x1");
    stale.expires_at = stale.issued_at - Duration::seconds(1);
    store.create_session(stale, &device("stale")).await.unwrap();
    store
        .create_session(token(SessionId::new(), bob.id, "b1"), &device("bob's"))
        .await
        .unwrap();

    // The laptop refreshes from another address, later than the phone signed in.
    let mut next = token(laptop, alice.id, "l2");
    next.issued_at += Duration::seconds(5);
    next.ip = "198.51.100.7".to_owned();
    assert!(
        store
            .rotate_refresh_token(first.id, next.clone())
            .await
            .unwrap()
    );

    let sessions = store.sessions_of(alice.id, now()).await.unwrap();
    let ids: Vec<SessionId> = sessions.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        vec![laptop, phone],
        "live sessions only, latest use first"
    );
    let laptop_row = &sessions[0];
    assert_eq!(laptop_row.device_name.as_str(), "Firefox on Linux");
    assert_eq!(laptop_row.last_ip, "198.51.100.7");
    assert_eq!(
        laptop_row.last_used_at.unix_timestamp(),
        next.issued_at.unix_timestamp()
    );
    assert_eq!(
        laptop_row.created_at.unix_timestamp(),
        first.issued_at.unix_timestamp()
    );
    assert_eq!(sessions[1].device_name.as_str(), "Alice's phone");
    assert_eq!(sessions[1].last_ip, "192.0.2.1");
}

pub async fn sessions_ended_since_a_time_are_every_kind_of_end_after_it(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let (early, signed_out, kept, live) = (
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
        SessionId::new(),
    );
    for (session, owner, hash) in [
        (early, alice.id, "e1"),
        (signed_out, alice.id, "s1"),
        (kept, alice.id, "k1"),
        (live, bob.id, "b1"),
    ] {
        store
            .create_session(token(session, owner, hash), &device("laptop"))
            .await
            .unwrap();
    }
    let start = now();
    store
        .revoke_session(early, start - Duration::seconds(60))
        .await
        .unwrap();
    store.revoke_session(signed_out, start).await.unwrap();
    let everywhere = store
        .revoke_sessions_of(alice.id, Some(kept), start + Duration::seconds(1))
        .await
        .unwrap();
    assert!(everywhere.is_empty(), "alice's other sessions had ended");
    store
        .revoke_sessions_of(alice.id, None, start + Duration::seconds(2))
        .await
        .unwrap();

    let mut ended = store.sessions_ended_since(start).await.unwrap();
    ended.sort_by_key(|s| s.as_uuid());
    let mut expected = vec![signed_out, kept];
    expected.sort_by_key(|s| s.as_uuid());
    assert_eq!(
        ended, expected,
        "ended at or after the time, by one or by all"
    );
    assert!(
        store
            .sessions_ended_since(start + Duration::seconds(3))
            .await
            .unwrap()
            .is_empty()
    );
}
