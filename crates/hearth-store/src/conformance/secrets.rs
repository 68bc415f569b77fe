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
