//! Full-text search with SQLite FTS5.
//!
//! `message_search` holds the text of every message that is not deleted, tokenized with
//! porter stemming over Unicode word splitting with diacritics folded. Its rowid is the
//! message's `search_rowid`: assigned increasing at send and never reused, so "newest first"
//! is `ORDER BY rowid DESC` (which FTS5 walks without sorting) and a cursor is the last rowid
//! shown. The parsed query is rendered here into FTS5 syntax from words only, so no user
//! input reaches the FTS5 query parser as syntax.

use hearth_domain::{SearchCursor, SearchHit, SearchTerm, SearchText, SnippetPart};
use hearth_store::{MessageSearch, SearchStore, StoreError};
use sqlx::{AssertSqlSafe, Row};

use crate::SqliteStore;
use crate::codec::store_error;
use crate::rows::{hydrate, message_columns, message_from_row};

/// Marks the start of a match in FTS5's snippet (a private-use character).
const OPEN: char = '\u{E000}';
/// Marks the end of a match.
const CLOSE: char = '\u{E001}';
/// Tokens of context in a snippet.
const SNIPPET_TOKENS: u32 = 12;

/// One term in FTS5 syntax: a quoted string (words only, so nothing to escape), `*` for a
/// prefix.
fn fts_term(term: &SearchTerm) -> String {
    let star = if term.prefix { "*" } else { "" };
    format!("\"{}\"{star}", term.words.join(" "))
}

/// The whole query in FTS5 syntax: every term must match.
pub(crate) fn fts_query(text: &SearchText) -> String {
    text.terms()
        .iter()
        .map(fts_term)
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Splits FTS5's marked snippet into plain and highlighted parts.
fn snippet_parts(marked: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut highlight = false;
    let mut text = String::new();
    let mut flush = |text: &mut String, highlight: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: std::mem::take(text),
                highlight,
            });
        }
    };
    for c in marked.chars() {
        match c {
            OPEN => {
                flush(&mut text, highlight);
                highlight = true;
            }
            CLOSE => {
                flush(&mut text, highlight);
                highlight = false;
            }
            c => text.push(c),
        }
    }
    flush(&mut text, highlight);
    parts
}

#[async_trait::async_trait]
impl SearchStore for SqliteStore {
    async fn search_messages(&self, search: MessageSearch) -> Result<Vec<SearchHit>, StoreError> {
        let sql = format!(
            "SELECT message_search.rowid AS position, \
                    snippet(message_search, 0, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS}) AS snippet, \
                    {} \
             FROM message_search \
             JOIN messages m ON m.search_rowid = message_search.rowid \
             JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = ?1 \
             WHERE message_search MATCH ?2 AND m.deleted_at IS NULL \
               AND (?3 IS NULL OR m.conversation_id = ?3) \
               AND message_search.rowid < ?4 \
             ORDER BY message_search.rowid DESC LIMIT ?5",
            message_columns("m")
        );
        let mut conn = self.readers.acquire().await.map_err(store_error)?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(search.viewer.as_uuid())
            .bind(fts_query(&search.text))
            .bind(search.conversation.map(|c| c.as_uuid()))
            .bind(search.after.map_or(i64::MAX, SearchCursor::position))
            .bind(i64::from(search.limit))
            .fetch_all(&mut *conn)
            .await
            .map_err(store_error)?;
        let mut messages = Vec::with_capacity(rows.len());
        let mut extras = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some(message) = message_from_row(row, "m")? else {
                continue;
            };
            let position: i64 = row.try_get("position").map_err(store_error)?;
            let snippet: String = row.try_get("snippet").map_err(store_error)?;
            messages.push(message);
            extras.push((position, snippet));
        }
        hydrate(&mut conn, &mut messages).await?;
        Ok(messages
            .into_iter()
            .zip(extras)
            .map(|(message, (position, snippet))| SearchHit {
                message,
                snippet: snippet_parts(&snippet),
                cursor: SearchCursor::at(position),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_words_only() {
        let text = SearchText::parse("q", r#"deploy "release notes" rust* a:b OR"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            fts_query(&text),
            r#""deploy" AND "release notes" AND "rust"* AND "a b" AND "or""#
        );
    }

    #[test]
    fn snippets_split_at_the_markers() {
        let parts = snippet_parts("…we \u{E000}ran\u{E001} far\u{E000}\u{E001}");
        assert_eq!(
            parts,
            [
                SnippetPart {
                    text: "…we ".to_owned(),
                    highlight: false
                },
                SnippetPart {
                    text: "ran".to_owned(),
                    highlight: true
                },
                SnippetPart {
                    text: " far".to_owned(),
                    highlight: false
                },
            ]
        );
    }
}
