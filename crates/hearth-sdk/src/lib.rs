//! Hearth's Rust client SDK.
//!
//! [`Client`] is a typed client of the REST `/v1` API (seed 000's contract, the wire types of
//! `hearth-proto`), and [`Socket`] a connection to the native WebSocket `/v1/ws`. A signed-in
//! client keeps its session alive by itself: when the server refuses the access token, one
//! refresh runs for every call that needs it, and each call is retried once (see
//! [`Client::signed_in`]). Failures are [`ClientError`]s carrying the server's stable error
//! code.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hearth_sdk::ClientError> {
//! use hearth_sdk::{Client, SearchPageRequest};
//!
//! let anonymous = Client::new("http://127.0.0.1:8080")?;
//! let alice = anonymous.signed_in(anonymous.login("alice", "correct horse battery").await?.tokens);
//! let bob = anonymous.login("bob", "another good password").await?.user;
//! let dm = alice.direct(bob.id).await?;
//! let sent = alice.send_message(dm.id, "key-1", "lunch at noon?").await?;
//! alice.edit_message(dm.id, sent.id, "lunch at one?").await?;
//! let found = alice.search_all("lunch", &SearchPageRequest::default()).await?;
//! alice.logout().await?;
//! # Ok(()) }
//! ```
//!
//! With the `offline` feature, [`offline`] adds the offline-first client of DESIGN.md on top
//! of these: a local SQLite store the UI reads, a durable outbox and a sync engine. This
//! crate must never depend on the server's crates: only on the wire types.

mod auth;
mod client;
mod conversations;
mod error;
mod messages;
#[cfg(feature = "offline")]
pub mod offline;
mod privacy;
mod session;
mod socket;
mod sync;

pub use client::Client;
pub use conversations::JoinOutcome;
pub use error::ClientError;
pub use messages::SearchPageRequest;
pub use socket::Socket;
