//! `hearth migrate-store` fills the tables that `hearth_store::transfer::TABLES` lists: every
//! table of the PostgreSQL schema that holds data must be there, with every column the copy can
//! write. A migration that adds one without listing it fails here.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeSet;

use hearth_store::transfer::TABLES;
use hearth_store_postgres::testing::TestDatabase;
use hearth_store_postgres::{PostgresOptions, PostgresStore};

#[tokio::test]
async fn every_table_and_column_of_the_schema_is_filled() {
    let database = TestDatabase::create().await.expect("test database");
    let store = PostgresStore::open(database.url(), PostgresOptions::default())
        .await
        .unwrap();
    store.close();
    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let tables: BTreeSet<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> 'hearth_migrations'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let listed: BTreeSet<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
    assert_eq!(tables, listed, "the tables of the schema and of the copy");

    for table in TABLES {
        // Generated columns (the search vectors) are computed from the rows, never written.
        let in_schema: BTreeSet<String> = client
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'",
                &[&table.name],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let copied: BTreeSet<String> = table.columns.iter().map(|c| c.name.to_owned()).collect();
        assert_eq!(in_schema, copied, "the columns of {}", table.name);
    }
}
