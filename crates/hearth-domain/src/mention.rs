//! Mentions: `@username` in a message's text, resolved to members when it is sent or edited.
//!
//! A mention starts with `@` at the start of the text or after a character that cannot be
//! part of a name (so `bob@example.org` mentions no one) and runs over the characters a
//! username may contain. Trailing `.` and `-` are read as punctuation unless the name with
//! them is a member (`@bob.` mentions `bob` unless someone is called `bob.`). Only members of
//! the conversation can be mentioned; the rest of a mention-like word is just text.
//! This module only reads text: looking names up is the caller's business.

use crate::{UserId, Username};

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The spellings one `@word` could stand for, longest first.
fn spellings(word: &str) -> Vec<String> {
    let full = word.to_ascii_lowercase();
    let trimmed = full.trim_end_matches(['.', '-']).to_owned();
    let mut out = Vec::with_capacity(2);
    for name in [full, trimmed] {
        let len = name.chars().count();
        if (Username::MIN_LEN..=Username::MAX_LEN).contains(&len) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Every `@word` of `text`, each as its possible spellings, longest first.
fn words(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts = c == '@' && !previous.is_some_and(|p| is_name_char(p) || p == '@');
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = text.get(at + 1..).unwrap_or("");
        let word: String = rest.chars().take_while(|c| is_name_char(*c)).collect();
        if word.is_empty() {
            continue;
        }
        for _ in 0..word.chars().count() {
            previous = chars.next().map(|(_, c)| c);
        }
        let options = spellings(&word);
        if !options.is_empty() {
            found.push(options);
        }
    }
    found
}

/// Every name that `text` might mention, lower-cased and without repeats: what to look up
/// among the conversation's members.
pub fn mention_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in words(text).into_iter().flatten() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The members `text` mentions, in order of first mention, without repeats. `member` looks
/// a lower-cased name up among the conversation's members.
pub fn resolve_mentions(text: &str, member: impl Fn(&str) -> Option<UserId>) -> Vec<UserId> {
    let mut ids = Vec::new();
    for options in words(text) {
        if let Some(id) = options.iter().find_map(|name| member(name))
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_after_at_signs_but_not_inside_addresses() {
        assert_eq!(
            mention_names("hi @Bob and @carol.smith, mail bob@example.org @@x @al"),
            ["bob", "carol.smith"]
        );
    }

    #[test]
    fn trailing_punctuation_is_punctuation_unless_a_member_has_it() {
        let bob = UserId::new();
        let dotted = UserId::new();
        let only_bob = |name: &str| (name == "bob").then_some(bob);
        assert_eq!(resolve_mentions("thanks @bob.", only_bob), [bob]);
        let both = |name: &str| match name {
            "bob" => Some(bob),
            "bob." => Some(dotted),
            _ => None,
        };
        assert_eq!(resolve_mentions("thanks @bob.", both), [dotted]);
    }

    #[test]
    fn resolves_each_member_once_in_order() {
        let bob = UserId::new();
        let amy = UserId::new();
        let lookup = |name: &str| match name {
            "bob" => Some(bob),
            "amy" => Some(amy),
            _ => None,
        };
        assert_eq!(
            resolve_mentions("@amy @nobody @bob @AMY (@bob)", lookup),
            [amy, bob]
        );
        assert!(resolve_mentions("no one here @", lookup).is_empty());
    }
}
