//! Use-case tests: the rules that live in `hearth-app`, tested below HTTP as a face calls
//! them, over a real SQLite store (`hearth-testkit`). One binary for every area (one link);
//! each test is one behaviour, named as the rule it checks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code: a failed expectation should panic with its message"
)]

/// Asserts that `result` failed with an error matching `pattern` (an `AppError` variant).
macro_rules! assert_refused {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err(err) => assert!(
                matches!(err, $pattern),
                "expected {}, got {err:?}",
                stringify!($pattern)
            ),
            Ok(value) => panic!("expected {}, got Ok({value:?})", stringify!($pattern)),
        }
    };
}

mod auth;
mod edits_and_deletes;
mod idempotent_sends;
mod join_requests;
mod markers;
mod mentions;
mod permissions;
mod privacy;
mod profiles;
mod rate_limits;
mod reactions_and_replies;
mod service_tokens;
mod support;
mod sync;
mod visibility;
