//! Positions in a conversation's log and page sizes.

use crate::validation::ValidationErrors;

/// A position in one conversation's log. Every event of a conversation (a message, a
/// membership change, …) gets the next `seq`, gap-free and strictly increasing, in the same
/// transaction as the write it numbers. `0` means "before the first event".
pub type Seq = i64;

/// A page size: 1–100, 50 when the client gives none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    /// The largest page.
    pub const MAX: u32 = 100;
    /// The page size when the client names none.
    pub const DEFAULT: Limit = Limit(50);

    /// Validates a client-given page size (`None` gives the default).
    pub fn parse(raw: Option<i64>) -> Result<Self, ValidationErrors> {
        match raw {
            None => Ok(Self::DEFAULT),
            Some(n) if (1..=i64::from(Self::MAX)).contains(&n) => {
                Ok(Self(u32::try_from(n).unwrap_or(Self::MAX)))
            }
            Some(_) => Err(ValidationErrors::field(
                "limit",
                format!("must be 1–{}", Self::MAX),
            )),
        }
    }

    /// A limit chosen by the server itself.
    pub fn of(n: u32) -> Self {
        Self(n.clamp(1, Self::MAX))
    }

    /// The page size.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// What a page of history reads: messages of a conversation (or of one thread) with a seq
/// strictly between `after` and `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqWindow {
    /// Only messages with a greater seq (0: from the start).
    pub after: Seq,
    /// Only messages with a smaller seq (`None`: up to the latest).
    pub before: Option<Seq>,
    /// Take the page at the newest end of the window (paging backwards) instead of the oldest.
    pub newest_first: bool,
}

impl SeqWindow {
    /// The same window, starting no earlier than `first_visible` (history visibility).
    pub fn from(self, first_visible: Seq) -> Self {
        Self {
            after: self.after.max(first_visible - 1),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_accepts_1_to_100_and_defaults_to_50() {
        assert_eq!(Limit::parse(None).map(Limit::get), Ok(50));
        assert_eq!(Limit::parse(Some(1)).map(Limit::get), Ok(1));
        assert_eq!(Limit::parse(Some(100)).map(Limit::get), Ok(100));
        assert!(Limit::parse(Some(0)).is_err());
        assert!(Limit::parse(Some(101)).is_err());
    }
}
