//! Integration tests: the real server on port 0, spoken to with a real HTTP client.
//! One binary for every suite (faster links); shared helpers live in `support`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code: a failed expectation should panic with its message"
)]

mod auth;
mod bench_smoke;
mod contract;
mod convergence;
mod conversations;
mod errors;
mod group_support;
mod groups;
mod history;
mod lifecycle;
mod message_deletes;
mod message_edits;
mod message_support;
mod messages;
mod ops;
mod permissions;
mod privacy;
mod reactions;
mod search;
mod support;
mod sync;
mod threads;
mod users;
mod visibility;
mod ws_connect;
mod ws_delivery;
mod ws_errors;
mod ws_membership;
mod ws_presence;
mod ws_shutdown;
mod ws_support;
