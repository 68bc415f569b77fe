//! Conformance of accounts: creation, uniqueness, lookup, search and profile changes.

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

pub async fn a_profile_change_renames_and_keeps_the_rest(store: DynStore) {
    let alice = user(&store, "alice").await;
    let renamed = store
        .update_profile(
            alice.id,
            ProfileChange {
                display_name: Some(DisplayName::parse("Alice Liddell").unwrap()),
                about: None,
                avatar: None,
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(renamed.display_name.as_str(), "Alice Liddell");
    assert_eq!(renamed.id, alice.id);
    assert_eq!(renamed.username, alice.username);
    assert_eq!(renamed.created_at, alice.created_at);
    assert_eq!(store.user(alice.id).await.unwrap(), Some(renamed.clone()));
    let found = store
        .search_users(
            &SearchQuery::parse("q", "lidd").unwrap(),
            UserId::new(),
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert!(
        found.is_empty(),
        "search matches display-name prefixes only"
    );
    let found = store
        .search_users(
            &SearchQuery::parse("q", "alice l").unwrap(),
            UserId::new(),
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert_eq!(found, [renamed]);
}

pub async fn an_empty_profile_change_changes_nothing(store: DynStore) {
    let alice = user(&store, "alice").await;
    let same = store
        .update_profile(alice.id, ProfileChange::default(), now())
        .await
        .unwrap();
    assert_eq!(same, alice);
}

pub async fn a_profile_change_of_an_unknown_user_is_not_found(store: DynStore) {
    let change = ProfileChange {
        display_name: Some(DisplayName::parse("Nobody").unwrap()),
        about: None,
        avatar: None,
    };
    let result = store.update_profile(UserId::new(), change, now()).await;
    assert!(
        matches!(result, Err(StoreError::NotFound(Missing::User))),
        "{result:?}"
    );
}

pub async fn users_are_read_many_at_once_and_unknown_ids_left_out(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let _carol = user(&store, "carol").await;
    let mut found = store
        .users(&[bob.id, UserId::new(), alice.id, bob.id])
        .await
        .unwrap();
    found.sort_by_key(|u| u.username.as_str().to_owned());
    found.dedup();
    assert_eq!(found, vec![alice, bob]);
    assert_eq!(store.users(&[]).await.unwrap(), Vec::new());
}

pub async fn an_about_text_is_set_read_everywhere_and_cleared(store: DynStore) {
    let alice = user(&store, "alice").await;
    let about = hearth_domain::About::parse("Curious.\nFalls down rabbit holes.")
        .unwrap()
        .unwrap();
    let change = |about| ProfileChange {
        display_name: None,
        about: Some(about),
        avatar: None,
    };
    let set = store
        .update_profile(alice.id, change(Some(about.clone())), now())
        .await
        .unwrap();
    assert_eq!(set.about.as_ref(), Some(&about));
    assert_eq!(set.display_name, alice.display_name, "the name is kept");
    assert_eq!(
        store.user(alice.id).await.unwrap().unwrap().about,
        Some(about.clone())
    );
    let kept = store
        .update_profile(
            alice.id,
            ProfileChange {
                display_name: Some(DisplayName::parse("Alice L").unwrap()),
                about: None,
                avatar: None,
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(kept.about, Some(about), "no about in the change keeps it");
    let cleared = store
        .update_profile(alice.id, change(None), now())
        .await
        .unwrap();
    assert_eq!(cleared.about, None);
}

pub async fn an_avatar_is_set_read_everywhere_kept_replaced_and_removed(store: DynStore) {
    use hearth_domain::{AvatarRef, PictureFormat};
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let change = |avatar| ProfileChange {
        avatar: Some(avatar),
        ..ProfileChange::default()
    };
    let first = AvatarRef::new(PictureFormat::Jpeg);
    let set = store
        .update_profile(alice.id, change(Some(first)), now())
        .await
        .unwrap();
    assert_eq!(set.avatar, Some(first));
    assert_eq!(
        store.user(alice.id).await.unwrap().unwrap().avatar,
        Some(first)
    );
    let many = store.users(&[alice.id, bob.id]).await.unwrap();
    let alice_in_many = many.iter().find(|u| u.id == alice.id).unwrap();
    assert_eq!(alice_in_many.avatar, Some(first), "batched reads carry it");
    assert!(many.iter().any(|u| u.id == bob.id && u.avatar.is_none()));
    let renamed = store
        .update_profile(
            alice.id,
            ProfileChange {
                display_name: Some(DisplayName::parse("Alice L").unwrap()),
                ..ProfileChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        renamed.avatar,
        Some(first),
        "no avatar in the change keeps it"
    );
    let second = AvatarRef::new(PictureFormat::Png);
    let replaced = store
        .update_profile(alice.id, change(Some(second)), now())
        .await
        .unwrap();
    assert_eq!(replaced.avatar, Some(second));
    let removed = store
        .update_profile(alice.id, change(None), now())
        .await
        .unwrap();
    assert_eq!(removed.avatar, None);
    assert_eq!(store.user(alice.id).await.unwrap().unwrap().avatar, None);
}
