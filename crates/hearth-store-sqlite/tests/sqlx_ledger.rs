//! Databases made before the store dropped sqlx: their migrations were applied by sqlx's
//! migrator, which kept its ledger in `_sqlx_migrations`. Such a database opens with only the
//! migrations added since to apply and reads as before, and a database made now keeps the same
//! ledger rows for the migrations of that time (so the older code would recognise them).
#![allow(clippy::unwrap_used, missing_docs, reason = "test code")]

use std::path::Path;

use hearth_domain::{ConversationId, Username};
use hearth_store::{MessageSearch, MessageStore, SearchStore, UserStore};
use hearth_store_sqlite::{SqliteOptions, SqliteStore};
use rusqlite::Connection;
use support::{store_on_file, text_message};
use uuid::Uuid;

mod support;

/// `sqlite3 .dump` of a database the sqlx-based store made (see the file's header).
const MADE_BY_SQLX: &str = include_str!("fixtures/made_by_sqlx_migrator.sql");

/// The last migration sqlx's migrator applied; later ones are the store's own.
const SQLX_ERA: i64 = 6;

/// Migrations added since the fixture was made: every migration a new database gets, less
/// sqlx's.
async fn added_since() -> usize {
    let dir = tempfile::tempdir().unwrap();
    let all = SqliteStore::migrate(&dir.path().join("new.db"))
        .await
        .unwrap();
    all - SQLX_ERA as usize
}

/// Alice and Bob's direct conversation in the fixture.
const DIRECT: &str = "01a2354b-9642-748c-a46d-20ae87b81a93";

/// Writes the fixture into a database file at `path`.
fn restore_fixture(path: &Path) {
    Connection::open(path)
        .unwrap()
        .execute_batch(MADE_BY_SQLX)
        .unwrap();
}

/// The ledger's rows that matter: version, description, success, checksum.
fn ledger(path: &Path) -> Vec<(i64, String, bool, Vec<u8>)> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT version, description, success, checksum FROM _sqlx_migrations \
             ORDER BY version",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_database_migrated_by_sqlx_opens_with_nothing_to_apply_and_reads_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hearth.db");
    restore_fixture(&path);
    let before = ledger(&path);

    let added = added_since().await;
    assert_eq!(SqliteStore::migrate(&path).await.unwrap(), added);
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();

    let alice = store
        .user_by_username(&Username::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    let dm = ConversationId::from_uuid(Uuid::parse_str(DIRECT).unwrap());
    let old = store.messages_after(dm, 0, 10).await.unwrap();
    let texts: Vec<&str> = old.iter().filter_map(|m| m.text()).collect();
    assert_eq!(texts, ["hello from the sqlx days"]);
    let last = old.last().unwrap().seq;
    let sent = store
        .send_message(text_message(dm, alice.id, "k2", "hello from rusqlite"))
        .await
        .unwrap();
    assert_eq!(sent.message().seq, last + 1);
    let hits = store
        .search_messages(MessageSearch {
            viewer: alice.id,
            conversation: Some(dm),
            text: hearth_domain::SearchText::parse("q", "hello").unwrap(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(hits.len(), 2);
    store.close().await;
    let after = ledger(&path);
    assert_eq!(
        after.get(..before.len()),
        Some(before.as_slice()),
        "sqlx's rows are left as it wrote them"
    );
    assert_eq!(after.len(), before.len() + added);
}

#[tokio::test]
async fn a_new_database_keeps_the_ledger_sqlx_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_on_file(&dir).await;
    store.close().await;
    let old = dir.path().join("old.db");
    restore_fixture(&old);

    let (new, old) = (ledger(&path), ledger(&old));
    assert_eq!(old.len(), SQLX_ERA as usize);
    assert_eq!(new.get(..old.len()), Some(old.as_slice()));
}
