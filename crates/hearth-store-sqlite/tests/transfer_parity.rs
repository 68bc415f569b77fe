//! `hearth migrate-store` copies the tables that `hearth_store::transfer::TABLES` lists: every
//! table of the SQLite schema that holds data must be there, with every column. A migration
//! that adds a table or a column without listing it fails here, before a copy silently drops
//! it.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::collections::BTreeSet;

use hearth_store::transfer::TABLES;
use hearth_store_sqlite::SqliteStore;
use rusqlite::Connection;

/// Tables the copy leaves out on purpose: derived data the target rebuilds, and ledgers.
const NOT_COPIED: [&str; 3] = ["_sqlx_migrations", "search_index_state", "message_search"];

/// Columns named differently here than in the neutral list.
fn neutral_name(table: &str, column: &str) -> String {
    match (table, column) {
        ("messages", "search_rowid") => "search_position".to_owned(),
        _ => column.to_owned(),
    }
}

#[tokio::test]
async fn every_table_and_column_of_the_schema_is_copied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hearth.db");
    SqliteStore::migrate(&path).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'message_search_%' AND name NOT LIKE 'message_words%'",
        )
        .unwrap();
    let tables: BTreeSet<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|name: &String| !NOT_COPIED.contains(&name.as_str()))
        .collect();
    let listed: BTreeSet<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
    assert_eq!(tables, listed, "the tables of the schema and of the copy");

    for table in TABLES {
        let mut columns = conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{}')",
                table.name
            ))
            .unwrap();
        let in_schema: BTreeSet<String> = columns
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(|name| neutral_name(table.name, &name.unwrap()))
            .collect();
        let mut copied: BTreeSet<String> =
            table.columns.iter().map(|c| c.name.to_owned()).collect();
        if table.name == "conversation_counters" {
            // Read from the conversation's `deleted_at`, not stored on the counter.
            copied.remove("open");
        }
        assert_eq!(in_schema, copied, "the columns of {}", table.name);
    }
}
