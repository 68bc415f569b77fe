//! Conformance of sessions and refresh tokens: rotation happens once, revocation covers the family.

use super::*;

pub async fn refresh_token_rotates_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    let session = SessionId::new();
    let first = token(session, alice.id, "h1");
    store.create_session(first.clone()).await.unwrap();
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
    store.create_session(first.clone()).await.unwrap();
    let other = SessionId::new();
    store
        .create_session(token(other, alice.id, "o1"))
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
