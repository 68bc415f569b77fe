//! Reactions: one emoji from one member on one message.
//!
//! A member reacts with an emoji at most once per message; reacting again changes nothing.
//! Emoji are checked against the Unicode emoji list, so a reaction is always something a
//! client can draw, and spelled one way (the fully-qualified form) so that `❤` and `❤️` are
//! the same reaction.

use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::validation::ValidationErrors;

/// One emoji from the Unicode emoji list, in its fully-qualified spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Emoji(String);

impl Emoji {
    /// Most different emoji one message can carry, so that a message cannot be buried.
    pub const MAX_PER_MESSAGE: u32 = 20;

    /// Validates an emoji given by a client (with or without variation selectors, with a skin
    /// tone or not).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        emojis::get(raw.trim())
            .map(|e| Self(e.as_str().to_owned()))
            .ok_or_else(|| ValidationErrors::field("emoji", "must be a single Unicode emoji"))
    }

    /// Wraps an emoji read back from storage, where it was validated on the way in.
    pub fn from_trusted(emoji: String) -> Self {
        Self(emoji)
    }

    /// The emoji.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everyone who reacted to a message with one emoji.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji.
    pub emoji: Emoji,
    /// Who reacted with it, earliest first.
    pub user_ids: Vec<UserId>,
}

impl Reaction {
    /// How many members reacted with this emoji.
    pub fn count(&self) -> u32 {
        u32::try_from(self.user_ids.len()).unwrap_or(u32::MAX)
    }

    /// Whether `user` is one of them.
    pub fn by(&self, user: UserId) -> bool {
        self.user_ids.contains(&user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_accepts_emoji_and_normalises_their_spelling() {
        assert!(Emoji::parse("👍").is_ok());
        assert!(Emoji::parse("👍🏽").is_ok(), "skin tones are emoji");
        assert!(Emoji::parse("🏳️‍🌈").is_ok(), "ZWJ sequences are emoji");
        assert!(Emoji::parse("🇫🇷").is_ok(), "flags are emoji");
        assert_eq!(Emoji::parse("❤"), Emoji::parse("❤️"));
    }

    #[test]
    fn emoji_rejects_text() {
        for bad in ["", "a", "hello", "👍👍", ":+1:", "<b>", " "] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
