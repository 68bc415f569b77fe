//! What the SQLite store's own tests and benches share: a store on a fresh file, a user, Alice
//! and Bob with their direct conversation, and (from the store conformance suite) the clock as
//! stores keep it and a plain text message.
#![allow(clippy::unwrap_used, dead_code, reason = "test code")]

use std::path::PathBuf;

use hearth_domain::{ConversationId, DisplayName, UserId, Username};
pub use hearth_store::conformance::{new_message as text_message, now};
use hearth_store::{ConversationStore, NewUser, UserStore};
use hearth_store_sqlite::{SqliteOptions, SqliteStore};
use tempfile::TempDir;

/// A store on a fresh database file in `dir`, and the file's path (for a test that writes
/// beside the store what the store itself would not).
pub async fn store_on_file(dir: &TempDir) -> (SqliteStore, PathBuf) {
    let path = dir.path().join("hearth.db");
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    (store, path)
}

/// A new user named `name`.
pub async fn user(store: &SqliteStore, name: &str) -> UserId {
    let id = UserId::new();
    store
        .create_user(NewUser {
            id,
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            password_hash: "not a hash".to_owned(),
            email: None,
            created_at: now(),
        })
        .await
        .unwrap();
    id
}

/// Alice, Bob and their direct conversation.
pub async fn alice_and_bob(store: &SqliteStore) -> (UserId, UserId, ConversationId) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let dm = store
        .get_or_create_direct(alice, bob, now())
        .await
        .unwrap()
        .id;
    (alice, bob, dm)
}
