//! Conformance of sign-in through external providers: flows and hand-offs are taken once,
//! identities link one subject to one account and one account to one subject per provider.

use super::*;
use crate::{ExternalIdentity, SignInFlow, SignInHandoff};

fn flow(state: &str, link_to: Option<UserId>, expires_at: Timestamp) -> SignInFlow {
    SignInFlow {
        state_hash: TokenHash(format!("state-{state}")),
        provider: "google".to_owned(),
        browser_hash: TokenHash(format!("browser-{state}")),
        nonce: format!("nonce-{state}"),
        pkce_verifier: format!("verifier-{state}"),
        link_to,
        return_to: Some("/c/somewhere".to_owned()),
        expires_at,
    }
}

fn identity(provider: &str, subject: &str, user_id: UserId) -> ExternalIdentity {
    ExternalIdentity {
        provider: provider.to_owned(),
        subject: subject.to_owned(),
        user_id,
        email: Some(format!("{subject}@example.test")),
        linked_at: now(),
    }
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        password_hash: String::new(),
        email: None,
        created_at: now(),
    }
}

pub async fn a_sign_in_flow_is_taken_exactly_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    let saved = flow("one", Some(alice.id), now() + Duration::minutes(10));
    store.save_sign_in_flow(saved.clone(), now()).await.unwrap();
    let state = saved.state_hash.clone();
    let takes = (0..4).map(|_| {
        let (store, state) = (store.clone(), state.clone());
        tokio::spawn(async move { store.take_sign_in_flow(&state).await.unwrap() })
    });
    let taken: Vec<SignInFlow> = futures_join(takes).await.into_iter().flatten().collect();
    assert_eq!(taken, vec![saved], "one of four racing callbacks gets it");
    assert_eq!(store.take_sign_in_flow(&state).await.unwrap(), None);
}

pub async fn saving_a_flow_forgets_the_expired_ones(store: DynStore) {
    let old = flow("old", None, now() - Duration::seconds(1));
    store
        .save_sign_in_flow(old.clone(), now() - Duration::minutes(5))
        .await
        .unwrap();
    store
        .save_sign_in_flow(flow("new", None, now() + Duration::minutes(10)), now())
        .await
        .unwrap();
    assert_eq!(
        store.take_sign_in_flow(&old.state_hash).await.unwrap(),
        None
    );
}

pub async fn a_flow_linking_to_an_unknown_user_is_not_found(store: DynStore) {
    let saved = store
        .save_sign_in_flow(
            flow("x", Some(UserId::new()), now() + Duration::minutes(1)),
            now(),
        )
        .await;
    assert!(
        matches!(saved, Err(StoreError::NotFound(Missing::User))),
        "{saved:?}"
    );
}

pub async fn an_identity_links_one_subject_to_one_account(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let linked = identity("google", "sub-a", alice.id);
    store.link_external_identity(linked.clone()).await.unwrap();
    assert_eq!(
        store.external_identity("google", "sub-a").await.unwrap(),
        Some(linked.clone())
    );
    assert_eq!(
        store.external_identity("google", "sub-b").await.unwrap(),
        None
    );
    assert_eq!(
        store.external_identity("other", "sub-a").await.unwrap(),
        None
    );

    let again = store
        .link_external_identity(identity("google", "sub-a", bob.id))
        .await;
    assert!(
        matches!(
            again,
            Err(StoreError::Conflict(ConflictKind::IdentityLinked))
        ),
        "the subject is taken: {again:?}"
    );
    let second = store
        .link_external_identity(identity("google", "sub-c", alice.id))
        .await;
    assert!(
        matches!(
            second,
            Err(StoreError::Conflict(ConflictKind::IdentityLinked))
        ),
        "one identity per provider per account: {second:?}"
    );
    store
        .link_external_identity(identity("gitlab", "sub-a", alice.id))
        .await
        .unwrap();
    let providers: Vec<String> = store
        .external_identities(alice.id)
        .await
        .unwrap()
        .into_iter()
        .map(|found| found.provider)
        .collect();
    assert_eq!(providers, ["gitlab", "google"]);
}

pub async fn linking_to_an_unknown_account_is_not_found(store: DynStore) {
    let linked = store
        .link_external_identity(identity("google", "s", UserId::new()))
        .await;
    assert!(
        matches!(linked, Err(StoreError::NotFound(Missing::User))),
        "{linked:?}"
    );
}

pub async fn unlinking_removes_only_that_provider(store: DynStore) {
    let alice = user(&store, "alice").await;
    store
        .link_external_identity(identity("google", "g", alice.id))
        .await
        .unwrap();
    store
        .link_external_identity(identity("gitlab", "l", alice.id))
        .await
        .unwrap();
    assert!(
        store
            .unlink_external_identity(alice.id, "google")
            .await
            .unwrap()
    );
    assert!(
        !store
            .unlink_external_identity(alice.id, "google")
            .await
            .unwrap()
    );
    assert_eq!(store.external_identity("google", "g").await.unwrap(), None);
    assert!(
        store
            .external_identity("gitlab", "l")
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn an_account_created_with_its_identity_is_both_or_neither(store: DynStore) {
    let carol = new_user("carol");
    let created = store
        .create_user_with_identity(carol.clone(), identity("google", "c", carol.id))
        .await
        .unwrap();
    assert_eq!(created.username.as_str(), "carol");
    assert_eq!(store.user(carol.id).await.unwrap(), Some(created));
    assert_eq!(
        store
            .external_identity("google", "c")
            .await
            .unwrap()
            .map(|found| found.user_id),
        Some(carol.id)
    );

    // The subject is linked already: the account is not created either.
    let dave = new_user("dave");
    let refused = store
        .create_user_with_identity(dave.clone(), identity("google", "c", dave.id))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(ConflictKind::IdentityLinked))
        ),
        "{refused:?}"
    );
    assert_eq!(
        store.user(dave.id).await.unwrap(),
        None,
        "no account without its identity"
    );

    // The name is taken: the identity is not linked either.
    let taken = new_user("carol");
    let refused = store
        .create_user_with_identity(taken.clone(), identity("google", "d", taken.id))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(ConflictKind::UsernameTaken))
        ),
        "{refused:?}"
    );
    assert_eq!(store.external_identity("google", "d").await.unwrap(), None);
}

pub async fn a_handoff_is_taken_exactly_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    let handoff = SignInHandoff {
        code_hash: TokenHash("code".to_owned()),
        user_id: alice.id,
        expires_at: now() + Duration::minutes(1),
    };
    store.save_sign_in_handoff(handoff.clone()).await.unwrap();
    assert_eq!(
        store
            .take_sign_in_handoff(&handoff.code_hash)
            .await
            .unwrap(),
        Some(handoff.clone())
    );
    assert_eq!(
        store
            .take_sign_in_handoff(&handoff.code_hash)
            .await
            .unwrap(),
        None
    );
}
