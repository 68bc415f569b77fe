//! The PostgreSQL store runs the shared store conformance suite, each test on a database of
//! its own (created on `HEARTH_TEST_POSTGRES_URL`, dropped afterwards).

use std::sync::Arc;

use hearth_store::conformance::Fixture;
use hearth_store_postgres::testing::TestDatabase;
use hearth_store_postgres::{PostgresOptions, PostgresStore};

async fn fresh_store() -> Fixture {
    let database = TestDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PostgresStore::open(database.url(), PostgresOptions::default())
        .await
        .unwrap_or_else(|e| panic!("open store: {e}"));
    Fixture::new(Arc::new(store), database)
}

hearth_store::store_conformance_tests!(fresh_store);
