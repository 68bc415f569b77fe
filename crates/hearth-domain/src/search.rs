//! Full-text search of messages: the parsed query, the opaque cursor and highlighted snippets.
//!
//! A query is read the way people type into a search box: words (all must match, each by its
//! stem, so `running` finds `run`), `"quoted phrases"` (the words in that order) and a
//! trailing `*` for a prefix (`deplo*` finds `deploy` and `deployment`). Nothing else is
//! special: operators, brackets and punctuation are only separators, so no input can break
//! a backend's query syntax. Each store renders the parsed terms into its own engine's
//! syntax (SQLite FTS5 here, PostgreSQL `tsquery` later).

use crate::Message;
use crate::validation::ValidationErrors;

/// One thing a matching message must contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerm {
    /// The words, lower-cased; more than one is a phrase (these words, in this order).
    pub words: Vec<String>,
    /// Whether the last word is a prefix.
    pub prefix: bool,
}

/// A validated search query: 1–200 characters holding 1–16 terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchText {
    terms: Vec<SearchTerm>,
}

impl SearchText {
    /// Longest query, in characters.
    pub const MAX_CHARS: usize = 200;
    /// Most terms in one query.
    pub const MAX_TERMS: usize = 16;

    /// Parses a query typed by a person (`field` names the parameter in errors).
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > Self::MAX_CHARS {
            return Err(ValidationErrors::field(
                field,
                format!("must be 1–{} characters long", Self::MAX_CHARS),
            ));
        }
        let mut terms = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = rest.get(start..).unwrap_or("");
            let (body, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                let after = quoted.get(end..).unwrap_or("");
                (
                    quoted.get(..end).unwrap_or(""),
                    after.strip_prefix('"').unwrap_or(after),
                )
            } else {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .unwrap_or(rest.len());
                (rest.get(..end).unwrap_or(""), rest.get(end..).unwrap_or(""))
            };
            let prefix_mark = after.starts_with('*');
            let prefix = prefix_mark || body.trim_end().ends_with('*');
            rest = if prefix_mark {
                after.get(1..).unwrap_or("")
            } else {
                after
            };
            let words: Vec<String> = body
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            if !words.is_empty() {
                terms.push(SearchTerm { words, prefix });
            }
        }
        if terms.is_empty() {
            return Err(ValidationErrors::field(
                field,
                "must contain at least one word",
            ));
        }
        if terms.len() > Self::MAX_TERMS {
            return Err(ValidationErrors::field(
                field,
                format!("must have at most {} words or phrases", Self::MAX_TERMS),
            ));
        }
        Ok(Self { terms })
    }

    /// The terms, all of which a match must contain.
    pub fn terms(&self) -> &[SearchTerm] {
        &self.terms
    }
}

/// Where a page of search results ended: results continue strictly after it. Its meaning
/// (a position in the store's index, strictly decreasing down the results) belongs to the
/// store; clients see it only as an opaque string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SearchCursor(i64);

impl SearchCursor {
    const PREFIX: &'static str = "s1.";

    /// A cursor at a store position.
    pub fn at(position: i64) -> Self {
        Self(position)
    }

    /// The store position.
    pub fn position(self) -> i64 {
        self.0
    }

    /// Reads a cursor a client returned; `None` when it is not one this server made.
    pub fn decode(raw: &str) -> Option<Self> {
        let hex = raw.trim().strip_prefix(Self::PREFIX)?;
        if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        i64::from_str_radix(hex, 16)
            .ok()
            .filter(|p| *p > 0)
            .map(Self)
    }

    /// The opaque form handed to clients.
    pub fn encode(self) -> String {
        format!("{}{:x}", Self::PREFIX, self.0)
    }
}

/// A piece of a search snippet: text, and whether it is (part of) a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetPart {
    /// The text, exactly as in the message.
    pub text: String,
    /// Whether this piece matched the query.
    pub highlight: bool,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// The message as it is now.
    pub message: Message,
    /// A short excerpt around the matches, with the matches marked.
    pub snippet: Vec<SnippetPart>,
    /// Where the results continue after this one.
    pub cursor: SearchCursor,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    fn words(text: &SearchText) -> Vec<(Vec<&str>, bool)> {
        text.terms()
            .iter()
            .map(|t| (t.words.iter().map(String::as_str).collect(), t.prefix))
            .collect()
    }

    #[test]
    fn reads_words_phrases_and_prefixes() {
        let q = SearchText::parse("q", r#"Deploy "release notes" rust* "quick fox"*"#).unwrap();
        assert_eq!(
            words(&q),
            [
                (vec!["deploy"], false),
                (vec!["release", "notes"], false),
                (vec!["rust"], true),
                (vec!["quick", "fox"], true),
            ]
        );
    }

    #[test]
    fn operators_and_punctuation_are_only_separators() {
        let q = SearchText::parse("q", r#"a OR b) NEAR( c:d "unclosed phrase"#).unwrap();
        assert_eq!(
            words(&q),
            [
                (vec!["a"], false),
                (vec!["or"], false),
                (vec!["b"], false),
                (vec!["near"], false),
                (vec!["c", "d"], false),
                (vec!["unclosed", "phrase"], false),
            ]
        );
    }

    #[test]
    fn rejects_empty_long_and_wordless_queries() {
        for bad in ["", "   ", "***", r#""" !!"#] {
            assert!(SearchText::parse("q", bad).is_err(), "{bad:?}");
        }
        assert!(SearchText::parse("q", &"a".repeat(201)).is_err());
        assert!(SearchText::parse("q", &"a ".repeat(17)).is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_strangers() {
        let cursor = SearchCursor::at(12345);
        assert_eq!(SearchCursor::decode(&cursor.encode()), Some(cursor));
        for bad in [
            "",
            "s1.",
            "s1.zz",
            "12345",
            "s1.-1",
            "s1.0",
            "s1.ffffffffffffffffff",
        ] {
            assert_eq!(SearchCursor::decode(bad), None, "{bad:?}");
        }
    }
}
