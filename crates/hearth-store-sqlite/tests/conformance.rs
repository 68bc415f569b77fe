//! The SQLite store runs the shared store conformance suite, each test on a fresh database file.

use std::sync::Arc;

use hearth_store::conformance::Fixture;
use hearth_store_sqlite::{SqliteOptions, SqliteStore};

async fn fresh_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let store = SqliteStore::open(&dir.path().join("hearth.db"), SqliteOptions::default())
        .await
        .unwrap_or_else(|e| panic!("open store: {e}"));
    Fixture::new(Arc::new(store), dir)
}

hearth_store::store_conformance_tests!(fresh_store);
