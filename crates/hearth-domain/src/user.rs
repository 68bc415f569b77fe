//! Users and the values that identify and describe them.

use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;
use crate::{AvatarRef, Timestamp, UserId};

/// A login name: 3–32 characters of `a-z 0-9 _ . -`, unique case-insensitively.
///
/// Input is lower-cased before the check, so `Alice` and `alice` are the same account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Shortest allowed name.
    pub const MIN_LEN: usize = 3;
    /// Longest allowed name.
    pub const MAX_LEN: usize = 32;
    /// What the names of deleted accounts start with, and no chosen name may.
    pub const DELETED_PREFIX: &'static str = "deleted-";

    /// Normalises (lower-cases) and validates a username given by a client.
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let name = raw.trim().to_lowercase();
        let len = name.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(ValidationErrors::field(
                "username",
                format!(
                    "must be {}–{} characters long",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
        {
            return Err(ValidationErrors::field(
                "username",
                "may contain only letters a-z, digits 0-9 and _ . -",
            ));
        }
        if name.starts_with(Self::DELETED_PREFIX) {
            return Err(ValidationErrors::field(
                "username",
                format!("may not start with \"{}\"", Self::DELETED_PREFIX),
            ));
        }
        Ok(Self(name))
    }

    /// Wraps a name read back from storage, where it was validated on the way in.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name shown to other people: 1–64 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Longest allowed display name, in characters.
    pub const MAX_LEN: usize = 64;

    /// Validates a display name given by a client (surrounding whitespace is dropped).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let name = raw.trim();
        let len = name.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(ValidationErrors::field(
                "display_name",
                format!("must be 1–{} characters long", Self::MAX_LEN),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationErrors::field(
                "display_name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// Wraps a display name read back from storage.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    /// The display name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed by the user: 8–128 characters. It only ever lives in memory long
/// enough to be hashed or verified; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest allowed password, in characters.
    pub const MIN_LEN: usize = 8;
    /// Longest allowed password, in characters (bounds the hashing cost of one request).
    pub const MAX_LEN: usize = 128;

    /// Validates a new password.
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let len = raw.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(ValidationErrors::field(
                "password",
                format!(
                    "must be {}–{} characters long",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password's bytes, for the hasher.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a user types to find other users: 1–64 characters, matched as a prefix of the
/// username or display name, case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery(String);

impl SearchQuery {
    /// Longest allowed query, in characters.
    pub const MAX_LEN: usize = 64;

    /// Validates a search query (`field` names the parameter for the error).
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let query = raw.trim().to_lowercase();
        let len = query.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(ValidationErrors::field(
                field,
                format!("must be 1–{} characters long", Self::MAX_LEN),
            ));
        }
        Ok(Self(query))
    }

    /// The normalised (trimmed, lower-case) query.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user account as everyone may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The account's id.
    pub id: UserId,
    /// The login name (normalised).
    pub username: Username,
    /// The shown name; defaults to the username.
    pub display_name: DisplayName,
    /// When the account was created.
    pub created_at: Timestamp,
    /// When its e-mail address was last proven (a verification link followed, or an identity
    /// provider vouching for it); `None`: no address, or not proven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified_at: Option<Timestamp>,
    /// What the person says about themselves, shown on their profile (`None`: nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<About>,
    /// Their profile picture's name, once they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<AvatarRef>,
}

/// A profile's about text: up to 500 characters, line breaks allowed, no other control
/// characters; surrounding whitespace is dropped, and an empty text is no text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct About(String);

impl About {
    /// Longest allowed text, in characters.
    pub const MAX_LEN: usize = 500;

    /// Validates an about text given by a client: `None` when it is empty (which clears it).
    pub fn parse(raw: &str) -> Result<Option<Self>, ValidationErrors> {
        let text = raw.trim();
        if text.chars().count() > Self::MAX_LEN {
            return Err(ValidationErrors::field(
                "about",
                format!("must be at most {} characters long", Self::MAX_LEN),
            ));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ValidationErrors::field(
                "about",
                "must not contain control characters other than line breaks",
            ));
        }
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    /// Wraps a text read back from storage.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_is_lowercased_and_checked() {
        assert_eq!(
            Username::parse("Alice_1").map(|u| u.0),
            Ok("alice_1".to_owned())
        );
        assert!(Username::parse("al").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("ålice").is_err());
        assert!(
            Username::parse("Deleted-0123").is_err(),
            "the names of deleted accounts are reserved"
        );
    }

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("ééééééé").is_err());
        assert!(Password::parse("éééééééé").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn password_debug_is_redacted() {
        let pw = Password::parse("correct horse").map(|p| format!("{p:?}"));
        assert_eq!(pw, Ok("Password(<redacted>)".to_owned()));
    }
}
