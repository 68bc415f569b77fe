//! Full-text search with PostgreSQL: tsvector columns and GIN indexes.
//!
//! Every message carries two generated vectors of its text (migration 0001):
//! `search_stems` (Snowball English stems, diacritics folded: words and phrases, `running`
//! finds `run`) and `search_words` (the same words unstemmed: prefixes, so `deploy*` finds
//! "deployment" — a stemmed prefix would not). A tombstone's text is empty, so its vectors
//! are too. The parsed query is rendered here into tsquery syntax from its words only (they
//! are letters and digits), each quoted, so no user input reaches the tsquery parser as
//! syntax. Results are newest first by `search_position` (increasing at send, never reused),
//! which is also the cursor. A viewer finds only messages of conversations they are a member
//! of, from the first seq they see (history visibility).

use hearth_domain::{SearchCursor, SearchHit, SearchTerm, SearchText};
use hearth_store::stored::{SNIPPET_CLOSE, SNIPPET_OPEN, snippet_parts};
use hearth_store::{MessageSearch, SearchStore, StoreError};
use tokio_postgres::types::ToSql;

use crate::PostgresStore;
use crate::db::{Columns, Job, rows};
use crate::rows::{hydrate, message_columns, message_from_row};

/// Stands in for `<` while `ts_headline` marks a text: its parser reads `<b>` as an HTML tag
/// and leaves tags out of the headline, but a snippet must keep the text verbatim.
const LESS_THAN_STANDIN: char = '\u{E002}';

/// Words of context in a snippet, about as many as SQLite's.
const SNIPPET_WORDS: u32 = 12;

/// `ts_headline`'s options: the markers, and [`SNIPPET_WORDS`] of context.
fn headline_options() -> String {
    format!(
        "StartSel={SNIPPET_OPEN}, StopSel={SNIPPET_CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords={}",
        SNIPPET_WORDS / 2
    )
}

/// One term in tsquery syntax: its words quoted and in order (`<->`), `:*` for a prefix.
fn ts_term(term: &SearchTerm) -> String {
    let quoted: Vec<String> = term
        .words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    let star = if term.prefix { ":*" } else { "" };
    format!("{}{star}", quoted.join(" <-> "))
}

/// Terms in tsquery syntax, all required (`None`: no terms).
fn ts_all<'t>(terms: impl Iterator<Item = &'t SearchTerm>) -> Option<String> {
    let rendered: Vec<String> = terms.map(ts_term).collect();
    (!rendered.is_empty()).then(|| rendered.join(" & "))
}

/// The query split over the two vectors: whole words and phrases against the stems,
/// prefixes against the unstemmed words.
fn ts_queries(text: &SearchText) -> (Option<String>, Option<String>) {
    (
        ts_all(text.terms().iter().filter(|t| !t.prefix)),
        ts_all(text.terms().iter().filter(|t| t.prefix)),
    )
}

#[async_trait::async_trait]
impl SearchStore for PostgresStore {
    async fn search_messages(&self, search: MessageSearch) -> Result<Vec<SearchHit>, StoreError> {
        let (stems, words) = ts_queries(&search.text);
        if stems.is_none() && words.is_none() {
            return Ok(Vec::new());
        }
        // $1 viewer, $2 before (cursor), $3 limit, $4 headline options, then the queries and
        // the conversation.
        let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![
            Box::new(search.viewer.as_uuid()),
            Box::new(search.after.map_or(i64::MAX, SearchCursor::position)),
            Box::new(i64::from(search.limit)),
            Box::new(headline_options()),
        ];
        let mut filters = Vec::new();
        let mut marking = None;
        for (query, column, config) in [
            (stems, "search_stems", "hearth_stems"),
            (words, "search_words", "hearth_words"),
        ] {
            if let Some(query) = query {
                params.push(Box::new(query));
                let tsquery = format!("to_tsquery('{config}', ${})", params.len());
                filters.push(format!("m.{column} @@ {tsquery}"));
                // The stems mark the snippet whenever the query has a whole word.
                // A text of a snippet's length or less is shown whole, as SQLite's snippet
                // shows it (ts_headline would start at the first match).
                let text = format!(
                    "replace(m.content, '<', chr({}))",
                    u32::from(LESS_THAN_STANDIN)
                );
                marking.get_or_insert(format!(
                    "CASE WHEN array_length(regexp_split_to_array(btrim(m.content), '\\s+'), 1) <= {SNIPPET_WORDS} \
                     THEN ts_headline('{config}', {text}, {tsquery}, $4 || ', HighlightAll=true') \
                     ELSE ts_headline('{config}', {text}, {tsquery}, $4) END"
                ));
            }
        }
        if let Some(conversation) = search.conversation {
            params.push(Box::new(conversation.as_uuid()));
            filters.push(format!("m.conversation_id = ${}", params.len()));
        }
        let sql = format!(
            "SELECT m.search_position AS position, {marking} AS snippet, {columns} \
             FROM messages m \
             JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = $1 \
             WHERE {filters} AND m.deleted_at IS NULL AND m.seq >= cm.history_from \
               AND m.search_position < $2 \
             ORDER BY m.search_position DESC LIMIT $3",
            marking = marking.unwrap_or_default(),
            columns = message_columns("m"),
            filters = filters.join(" AND "),
        );
        self.read(move |c| -> Job<'_, Vec<SearchHit>> {
            Box::pin(async move {
                let refs: Vec<&(dyn ToSql + Sync)> =
                    params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
                let found = rows(c, &sql, &refs).await?;
                let mut messages = Vec::with_capacity(found.len());
                let mut marks = Vec::with_capacity(found.len());
                for row in &found {
                    if let Some(message) = message_from_row(row, "m")? {
                        messages.push(message);
                        marks.push((row.col::<i64>("position")?, row.col::<String>("snippet")?));
                    }
                }
                hydrate(c, &mut messages).await?;
                Ok(messages
                    .into_iter()
                    .zip(marks)
                    .map(|(message, (position, snippet))| SearchHit {
                        message,
                        snippet: snippet_parts(&snippet.replace(LESS_THAN_STANDIN, "<")),
                        cursor: SearchCursor::at(position),
                    })
                    .collect())
            })
        })
        .await
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
            ts_queries(&text),
            (
                Some("'deploy' & 'release' <-> 'notes' & 'a' <-> 'b' & 'or'".to_owned()),
                Some("'rust':*".to_owned())
            )
        );
    }
}
