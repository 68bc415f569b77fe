//! Full-text search with SQLite FTS5.
//!
//! Two FTS5 indexes hold the text of every message that is not deleted, under the same rowid:
//! `message_search` with porter stemming (words and phrases: `running` finds `run`) and
//! `message_words` without (prefixes: porter would stem the prefix itself as if it were a
//! word, so `deploy*` would become `deploi*` and miss "deployment"). Both split words by
//! Unicode rules and fold diacritics. The rowid is the message's `search_rowid`: assigned
//! increasing at send and never reused, so "newest first" is `ORDER BY rowid DESC` (which
//! FTS5 walks without sorting) and a cursor is the last rowid shown. The parsed query is
//! rendered here into FTS5 syntax from words only, so no user input reaches the FTS5 query
//! parser as syntax. A viewer finds only messages of conversations they are a member of, from
//! the first seq they see (history visibility).
//!
//! The indexes trail the messages. Indexing a send in its own commit cost every commit a new
//! segment in each index and a rewrite of their pages — a fifth of a send's log, paid again
//! in every small batch. So a send writes no index row: [`index_pending`] indexes every
//! message past the stored `indexed_upto` in one pass, from its current text. The writer runs
//! a pass inside a batch once [`INDEX_LAG`] sends are waiting for one, the store runs one when
//! it opens, and a search runs one before it reads whenever a message is past the indexes, so a
//! search always sees every message sent before it (and the indexes never need more than one
//! pass to catch up). Edits and
//! deletions change the index rows of indexed messages at the end of their batch
//! ([`apply_index_changes`]); a message the indexes have not reached yet needs no change, the
//! pass will read its text as it is then.

use hearth_domain::{ConversationId, MessageId, SearchCursor, SearchHit, SearchTerm, SearchText};
use hearth_store::stored::{SNIPPET_CLOSE, SNIPPET_OPEN, snippet_parts};
use hearth_store::{MessageSearch, Missing, SearchStore, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter};

use crate::SqliteStore;
use crate::codec::{Columns, store_error};
use crate::rows::{hydrate, message_columns, message_from_row};
use crate::statements::{decode_all, execute, query_one, query_opt};
use crate::tx::{IndexChange, Tx};
use crate::writer::BatchHook;

/// How many sends may wait for the indexes before the writer runs a pass. A pass over this
/// many messages takes a few milliseconds of one batch; a search runs one for whatever is
/// waiting.
pub(crate) const INDEX_LAG: u64 = 256;

/// Indexes every message past `indexed_upto` (see the module docs) that is not deleted, nor
/// in a deleted conversation, with its current text, and advances `indexed_upto` to the last
/// message. Returns how many messages it indexed. Runs inside the writer's transaction.
pub(crate) fn index_pending(tx: &Tx) -> Result<usize, StoreError> {
    // The messages past `upto` that belong in the indexes, with their current text.
    const PENDING: &str = "SELECT m.search_rowid, m.content FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.search_rowid > ?1 AND m.deleted_at IS NULL AND c.deleted_at IS NULL \
         ORDER BY m.search_rowid";
    let upto = indexed_upto(tx)?;
    let mut indexed = 0;
    for index in ["message_search", "message_words"] {
        let sql = format!("INSERT INTO {index} (rowid, content) {PENDING}");
        indexed = execute(tx, &sql, params![upto]).map_err(store_error)?;
    }
    execute(
        tx,
        "UPDATE search_index_state SET indexed_upto = \
         (SELECT coalesce(max(search_rowid), 0) FROM messages)",
        [],
    )
    .map_err(store_error)?;
    tx.forget_unindexed();
    metrics::counter!("hearth_sqlite_index_passes_total").increment(1);
    metrics::counter!("hearth_sqlite_indexed_messages_total").increment(indexed as u64);
    Ok(indexed)
}

/// The highest `search_rowid` the indexes have reached.
fn indexed_upto(tx: &Tx) -> Result<i64, StoreError> {
    query_one(
        tx,
        "SELECT indexed_upto FROM search_index_state",
        [],
        |row| row.get(0),
    )
    .map_err(store_error)
}

/// Adds a message's text to both indexes at `position` (its `search_rowid`), at the end of
/// the batch (see `tx.rs`). Only for a message that was indexed before (an edit): a new
/// message waits for [`index_pending`].
pub(crate) fn index_text(tx: &Tx, position: i64, text: &str) {
    tx.queue_index_change(IndexChange::Add {
        position,
        text: text.to_owned(),
    });
}

/// Removes the text at `position` from both indexes, at the end of the batch.
pub(crate) fn unindex_text(tx: &Tx, position: i64) {
    tx.queue_index_change(IndexChange::Remove { position });
}

/// Removes every message of a conversation that is not deleted from both indexes (the
/// conversation is being deleted), at the end of the batch.
pub(crate) fn unindex_conversation(
    tx: &Tx,
    conversation: ConversationId,
) -> Result<(), StoreError> {
    let positions = decode_all(
        tx,
        "SELECT search_rowid FROM messages WHERE conversation_id = ? AND deleted_at IS NULL \
         AND search_rowid IS NOT NULL",
        params![conversation.as_uuid()],
        |row| row.get::<_, i64>(0).map_err(store_error),
    )?;
    for position in positions {
        unindex_text(tx, position);
    }
    Ok(())
}

/// The writer's hook that brings the indexes up to date at the end of every batch (see the
/// module docs): it applies the changes the batch's jobs queued, then runs a pass of
/// [`index_pending`] once [`INDEX_LAG`] sends wait for one.
pub(crate) struct Indexer;

impl BatchHook for Indexer {
    fn after_jobs(&self, tx: &Tx) -> Result<(), StoreError> {
        apply_index_changes(tx, tx.take_index_changes())?;
        if tx.unindexed() >= INDEX_LAG {
            index_pending(tx)?;
        }
        Ok(())
    }
}

/// Applies a batch's queued index changes, in order, inside its transaction. A change at a
/// position the indexes have not reached is left out: the next pass of [`index_pending`]
/// reads that message as it is then.
pub(crate) fn apply_index_changes(tx: &Tx, changes: Vec<IndexChange>) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let upto = indexed_upto(tx)?;
    for change in changes {
        match change {
            IndexChange::Add { position, .. } | IndexChange::Remove { position }
                if position > upto => {}
            IndexChange::Add { position, text } => {
                for sql in [
                    "INSERT INTO message_search (rowid, content) VALUES (?, ?)",
                    "INSERT INTO message_words (rowid, content) VALUES (?, ?)",
                ] {
                    execute(tx, sql, params![position, text]).map_err(store_error)?;
                }
            }
            IndexChange::Remove { position } => {
                for sql in [
                    "DELETE FROM message_search WHERE rowid = ?",
                    "DELETE FROM message_words WHERE rowid = ?",
                ] {
                    execute(tx, sql, params![position]).map_err(store_error)?;
                }
            }
        }
    }
    Ok(())
}

/// The index position of a message.
pub(crate) fn search_rowid(tx: &Tx, message: MessageId) -> Result<i64, StoreError> {
    query_opt(
        tx,
        "SELECT search_rowid FROM messages WHERE id = ?",
        params![message.as_uuid()],
        |row| row.get::<_, Option<i64>>(0),
    )
    .map_err(store_error)?
    .flatten()
    .ok_or(StoreError::NotFound(Missing::Message))
}

/// Tokens of context in a snippet.
const SNIPPET_TOKENS: u32 = 12;

/// One term in FTS5 syntax: a quoted string (words only, so nothing to escape), `*` for a
/// prefix.
fn fts_term(term: &SearchTerm) -> String {
    let star = if term.prefix { "*" } else { "" };
    format!("\"{}\"{star}", term.words.join(" "))
}

/// Terms in FTS5 syntax, all required (`None`: no terms).
fn fts_all<'t>(terms: impl Iterator<Item = &'t SearchTerm>) -> Option<String> {
    let rendered: Vec<String> = terms.map(fts_term).collect();
    (!rendered.is_empty()).then(|| rendered.join(" AND "))
}

/// The query split over the two indexes: whole words and phrases for the stemmed index,
/// prefixes for the unstemmed one. At least one is `Some`.
pub(crate) fn fts_queries(text: &SearchText) -> (Option<String>, Option<String>) {
    (
        fts_all(text.terms().iter().filter(|t| !t.prefix)),
        fts_all(text.terms().iter().filter(|t| t.prefix)),
    )
}

#[async_trait::async_trait]
impl SearchStore for SqliteStore {
    async fn search_messages(&self, search: MessageSearch) -> Result<Vec<SearchHit>, StoreError> {
        // Every message sent before the search is found: bring the indexes up to date first —
        // through the writer (a commit and a sync, behind the batch it is running) only when a
        // read shows a message past them. A message acknowledged before the search began was
        // committed before this read, so the read sees it.
        let pending = self
            .readers
            .read(|conn| {
                query_opt(
                    conn,
                    "SELECT 1 FROM search_index_state \
                     WHERE indexed_upto < (SELECT coalesce(max(search_rowid), 0) FROM messages)",
                    [],
                    |row| row.get::<_, i64>(0),
                )
                .map_err(store_error)
            })
            .await?;
        if pending.is_some() {
            self.writer.write(|tx| index_pending(tx).map(drop)).await?;
        }
        // The stemmed index drives (and marks the snippet) whenever the query has a whole
        // word; prefixes then filter through the unstemmed index. A query of prefixes only is
        // driven, and marked, by the unstemmed index.
        let (words, prefixes) = fts_queries(&search.text);
        let (table, driving, filter) = match (words, prefixes) {
            (Some(words), prefixes) => ("message_search", words, prefixes),
            (None, Some(prefixes)) => ("message_words", prefixes, None),
            (None, None) => return Ok(Vec::new()),
        };
        let filter_sql = if filter.is_some() {
            format!(
                "AND {table}.rowid IN (SELECT rowid FROM message_words WHERE message_words MATCH ?)"
            )
        } else {
            String::new()
        };
        let conversation_sql = if search.conversation.is_some() {
            "AND m.conversation_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {table}.rowid AS position, \
                    snippet({table}, 0, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', {SNIPPET_TOKENS}) AS snippet, \
                    {columns} \
             FROM {table} \
             JOIN messages m ON m.search_rowid = {table}.rowid \
             JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = ? \
             WHERE {table} MATCH ? {filter_sql} AND m.deleted_at IS NULL {conversation_sql} \
               AND m.seq >= cm.history_from \
               AND {table}.rowid < ? \
             ORDER BY {table}.rowid DESC LIMIT ?",
            columns = message_columns("m")
        );
        let mut values: Vec<Box<dyn ToSql + Send>> =
            vec![Box::new(search.viewer.as_uuid()), Box::new(driving)];
        if let Some(filter) = filter {
            values.push(Box::new(filter));
        }
        if let Some(conversation) = search.conversation {
            values.push(Box::new(conversation.as_uuid()));
        }
        values.push(Box::new(
            search.after.map_or(i64::MAX, SearchCursor::position),
        ));
        values.push(Box::new(i64::from(search.limit)));
        self.readers
            .read(move |conn| {
                let mut positions = Vec::new();
                let mut messages = decode_all(conn, &sql, params_from_iter(values), |row| {
                    let message = message_from_row(row, "m")?;
                    if message.is_some() {
                        let position: i64 = row.column("position")?;
                        let snippet: String = row.column("snippet")?;
                        positions.push((position, snippet));
                    }
                    Ok(message)
                })?
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
                hydrate(conn, &mut messages)?;
                Ok(messages
                    .into_iter()
                    .zip(positions)
                    .map(|(message, (position, snippet))| SearchHit {
                        message,
                        snippet: snippet_parts(&snippet),
                        cursor: SearchCursor::at(position),
                    })
                    .collect())
            })
            .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::SqliteStore;

    /// A migrated database, with one user and one conversation, as the writer's `Tx`.
    async fn migrated(dir: &tempfile::TempDir) -> Tx {
        let path = dir.path().join("search.db");
        SqliteStore::migrate(&path).await.unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at) \
                 VALUES (x'01', 'alice', 'Alice', '-', 0, 0); \
             INSERT INTO conversations (id, kind, created_by, created_at, updated_at) \
                 VALUES (x'0c', 'group', x'01', 0, 0);",
        )
        .unwrap();
        Tx::new(conn)
    }

    /// Sends `text` at `position` in conversation `conversation`, as a send does: no index row.
    fn send(tx: &Tx, conversation: &[u8], position: i64, text: &str) {
        execute(
            tx,
            "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, \
                 content, created_at, search_rowid) VALUES (?1, ?2, x'01', ?1, ?3, ?4, 0, ?3)",
            params![format!("m{position}"), conversation, position, text],
        )
        .unwrap();
    }

    /// The positions where `word` is indexed, in each index.
    fn found(tx: &Tx, word: &str) -> (Vec<i64>, Vec<i64>) {
        let positions = |table: &str| {
            let sql = format!("SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid");
            let mut statement = tx.prepare(&sql).unwrap();
            statement
                .query_map([word], |row| row.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        (positions("message_search"), positions("message_words"))
    }

    #[tokio::test]
    async fn a_pass_indexes_every_message_sent_since_the_last_one_then_none_again() {
        let dir = tempfile::tempdir().unwrap();
        let tx = migrated(&dir).await;
        send(&tx, b"\x0c", 1, "hello world");
        send(&tx, b"\x0c", 2, "hello again");

        assert_eq!(index_pending(&tx).unwrap(), 2);
        assert_eq!(index_pending(&tx).unwrap(), 0);
        assert_eq!(found(&tx, "hello"), (vec![1, 2], vec![1, 2]));
    }

    /// What an edit's batch does to the indexes at its end: the old text out, `text` in.
    fn reindex(tx: &Tx, position: i64, text: &str) {
        tx.queue_index_change(IndexChange::Remove { position });
        tx.queue_index_change(IndexChange::Add {
            position,
            text: text.to_owned(),
        });
        apply_index_changes(tx, tx.take_index_changes()).unwrap();
    }

    #[tokio::test]
    async fn an_edit_before_the_pass_leaves_the_indexes_to_it_and_only_the_new_text_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let tx = migrated(&dir).await;
        send(&tx, b"\x0c", 1, "first draft");
        // The edit, as `changes::edit` does it: new text, the old one out, the new one in.
        execute(&tx, "UPDATE messages SET content = 'second draft'", []).unwrap();
        reindex(&tx, 1, "second draft");

        index_pending(&tx).unwrap();

        assert_eq!(found(&tx, "second"), (vec![1], vec![1]));
        assert_eq!(found(&tx, "first"), (vec![], vec![]));
    }

    #[tokio::test]
    async fn an_edit_after_the_pass_changes_the_indexes_at_the_end_of_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let tx = migrated(&dir).await;
        send(&tx, b"\x0c", 1, "first draft");
        index_pending(&tx).unwrap();

        reindex(&tx, 1, "second draft");

        assert_eq!(found(&tx, "second"), (vec![1], vec![1]));
        assert_eq!(found(&tx, "first"), (vec![], vec![]));
    }

    #[tokio::test]
    async fn a_pass_leaves_out_deleted_messages_and_deleted_conversations() {
        let dir = tempfile::tempdir().unwrap();
        let tx = migrated(&dir).await;
        execute(
            &tx,
            "INSERT INTO conversations (id, kind, created_by, created_at, updated_at, deleted_at) \
             VALUES (x'0d', 'group', x'01', 0, 0, 5)",
            [],
        )
        .unwrap();
        send(&tx, b"\x0c", 1, "kept note");
        send(&tx, b"\x0c", 2, "deleted note");
        execute(
            &tx,
            "UPDATE messages SET deleted_at = 5 WHERE search_rowid = 2",
            [],
        )
        .unwrap();
        send(&tx, b"\x0d", 3, "orphaned note");

        index_pending(&tx).unwrap();

        assert_eq!(found(&tx, "note"), (vec![1], vec![1]));
    }

    #[test]
    fn queries_are_quoted_words_only() {
        let text = SearchText::parse("q", r#"deploy "release notes" rust* a:b OR"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            fts_queries(&text),
            (
                Some(r#""deploy" AND "release notes" AND "a b" AND "or""#.to_owned()),
                Some(r#""rust"*"#.to_owned())
            )
        );
    }
}
