//! Conformance of accounts: creation, uniqueness, lookup and search.

use super::*;

pub async fn user_round_trips(store: DynStore) {
    let alice = user(&store, "alice").await;
    assert_eq!(store.user(alice.id).await.unwrap(), Some(alice.clone()));
    let credentials = store
        .credentials(&Username::parse("ALICE").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.user, alice);
    assert_eq!(credentials.password_hash, "hash-of-alice");
    assert_eq!(store.user(UserId::new()).await.unwrap(), None);
}

pub async fn username_is_unique_case_insensitively(store: DynStore) {
    user(&store, "alice").await;
    let again = store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("Alice").unwrap(),
            display_name: DisplayName::parse("Other").unwrap(),
            password_hash: "x".to_owned(),
            email: None,
            created_at: now(),
        })
        .await;
    assert!(
        matches!(
            again,
            Err(StoreError::Conflict(ConflictKind::UsernameTaken))
        ),
        "{again:?}"
    );
}

pub async fn email_is_unique(store: DynStore) {
    let make = |name: &str| NewUser {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        password_hash: "x".to_owned(),
        email: Some("same@example.org".to_owned()),
        created_at: now(),
    };
    store.create_user(make("first")).await.unwrap();
    let second = store.create_user(make("second")).await;
    assert!(
        matches!(second, Err(StoreError::Conflict(ConflictKind::EmailTaken))),
        "{second:?}"
    );
}

pub async fn search_matches_prefixes_and_excludes_the_searcher(store: DynStore) {
    let alice = user(&store, "alice").await;
    let _alfred = user(&store, "alfred").await;
    let _bob = user(&store, "bob").await;
    let found = store
        .search_users(
            &SearchQuery::parse("q", "AL").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    assert_eq!(names, ["alfred"]);
    let by_display = store
        .search_users(
            &SearchQuery::parse("q", "bob disp").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert_eq!(by_display.len(), 1);
    let limited = store
        .search_users(
            &SearchQuery::parse("q", "b").unwrap(),
            alice.id,
            Limit::of(1),
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
}

pub async fn search_treats_wildcards_literally(store: DynStore) {
    let alice = user(&store, "alice").await;
    user(&store, "a_b").await;
    user(&store, "axb").await;
    let found = store
        .search_users(
            &SearchQuery::parse("q", "a_").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    assert_eq!(names, ["a_b"]);
    let none = store
        .search_users(
            &SearchQuery::parse("q", "%").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert!(none.is_empty());
}
