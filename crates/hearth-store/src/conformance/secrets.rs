//! Conformance of shared secrets: the first stored value is the one everyone gets.

use super::*;

pub async fn the_first_secret_stored_is_the_one_every_caller_gets(store: DynStore) {
    let first = store
        .secret_or_insert("signing", b"first candidate", now())
        .await
        .unwrap();
    let second = store
        .secret_or_insert("signing", b"second candidate", now())
        .await
        .unwrap();
    assert_eq!(first, b"first candidate");
    assert_eq!(
        second, b"first candidate",
        "a later candidate never replaces it"
    );
}

pub async fn secrets_of_other_names_are_their_own(store: DynStore) {
    store
        .secret_or_insert("signing", b"one", now())
        .await
        .unwrap();
    let other = store
        .secret_or_insert("other", b"two", now())
        .await
        .unwrap();
    assert_eq!(other, b"two");
}

pub async fn racing_candidates_agree_on_one_secret(store: DynStore) {
    let tries = (0..8u8).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .secret_or_insert("signing", &[n; 32], now())
                .await
                .unwrap()
        })
    });
    let answers: BTreeSet<Vec<u8>> = futures_join(tries).await.into_iter().collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
}

pub async fn data_keys_are_kept_by_id_and_an_id_is_taken_once(store: DynStore) {
    assert!(store.data_keys().await.unwrap().is_empty());
    let key = |id: u32, byte: u8| crate::StoredDataKey {
        id,
        wrapped: vec![byte; 60],
        created_at: now(),
    };
    assert!(store.add_data_key(&key(2, 2)).await.unwrap());
    assert!(store.add_data_key(&key(1, 1)).await.unwrap());
    assert!(
        !store.add_data_key(&key(2, 9)).await.unwrap(),
        "another process made key 2 first"
    );
    let keys = store.data_keys().await.unwrap();
    assert_eq!(
        keys.iter()
            .map(|k| (k.id, k.wrapped[0]))
            .collect::<Vec<_>>(),
        vec![(1, 1), (2, 2)]
    );
    assert_eq!(keys[1].wrapped, vec![2; 60]);
}
