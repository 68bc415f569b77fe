//! Parsed documents, cached by their text: a chat client sends the same few operations again
//! and again with new variables (every `sendMessage` of a conversation is one document), so
//! each text is parsed once and later requests start from a copy of its parse.
//!
//! Only the parse is saved. Every request is still checked by the library — recursion depth,
//! the validation rules, the depth and complexity limits (complexity can depend on the
//! variables) — and executed as before. The cache must never hold a document that did not
//! parse (the library parses such a text itself and reports the error), and it must never
//! grow past its bound, whatever texts clients send.

use std::sync::Arc;

use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Documents kept; the least used go first once it is full.
const CAPACITY: u64 = 256;

/// Longest text cached, in bytes: with [`CAPACITY`], the bound on what the cache can hold
/// (256 texts of at most 4 KiB, and their parses). Operations of real clients are a few
/// hundred bytes; GraphiQL's introspection query is about 2 KiB.
const MAX_CACHED_BYTES: usize = 4 * 1024;

/// The cache, shared by `POST /graphql` and every websocket.
#[derive(Clone)]
pub(crate) struct Documents {
    parsed: Cache<Arc<str>, Arc<ExecutableDocument>>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("entries", &self.parsed.entry_count())
            .finish()
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl Documents {
    fn with_capacity(capacity: u64) -> Self {
        Self {
            parsed: Cache::new(capacity),
        }
    }

    /// Gives `request` its parsed document, from the cache or parsed now (and then kept).
    /// A text that does not parse, or a long one, is left to the library.
    pub(crate) fn prepare(&self, request: &mut async_graphql::Request) {
        if let Some(document) = self.parsed(&request.query) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
        }
    }

    /// The parse of `query`, if it is cached or parses now and may be cached.
    fn parsed(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        if query.len() > MAX_CACHED_BYTES {
            return None;
        }
        if let Some(document) = self.parsed.get(query) {
            return Some(document);
        }
        let document = Arc::new(parse_query(query).ok()?);
        self.parsed.insert(Arc::from(query), document.clone());
        Some(document)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "test code")]

    use super::*;

    const SEND: &str =
        "mutation($c: ID!) { sendMessage(conversationId: $c, content: \"hi\") { id } }";

    #[test]
    fn a_text_sent_again_is_parsed_once() {
        let documents = Documents::default();

        let first = documents.parsed(SEND).expect("parses");
        let again = documents.parsed(SEND).expect("cached");

        assert!(Arc::ptr_eq(&first, &again), "the second send parsed again");
    }

    #[test]
    fn the_cache_holds_no_more_than_its_capacity() {
        let documents = Documents::with_capacity(8);

        for i in 0..200 {
            documents.parsed(&format!("{{ a{i}: conversations {{ id }} }}"));
        }
        documents.parsed.run_pending_tasks();

        assert!(
            documents.parsed.entry_count() <= 8,
            "{} entries",
            documents.parsed.entry_count()
        );
    }

    #[test]
    fn a_text_that_does_not_parse_is_not_kept() {
        let documents = Documents::default();

        assert!(documents.parsed("{ conversations { id }").is_none());
        documents.parsed.run_pending_tasks();

        assert_eq!(documents.parsed.entry_count(), 0);
    }

    #[test]
    fn a_long_text_is_left_to_the_library() {
        let documents = Documents::default();
        let fields: String = (0..MAX_CACHED_BYTES / 8)
            .map(|i| format!(" f{i}: id"))
            .collect();
        let long = format!("{{ conversations {{ {fields} }} }}");
        assert!(long.len() > MAX_CACHED_BYTES);

        assert!(documents.parsed(&long).is_none());
        documents.parsed.run_pending_tasks();

        assert_eq!(documents.parsed.entry_count(), 0);
    }
}
