//! The offline-first client (feature `offline`): a local store the UI reads, an outbox the UI
//! writes to, and a sync engine that keeps both in step with the server.
//!
//! Seed 000's rule holds here: the UI reads only from the [`LocalStore`]; the network writes
//! into it, through the sync engine (bootstrap, live socket events, catch-up with
//! `/v1/sync/changes` on every reconnect) and the outbox (sends, reconciled by
//! `client_message_id` with `server_id`, `server_seq`, `server_created_at`). The UI learns
//! what changed from [`Offline::subscribe`] and reads again.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use hearth_sdk::Client;
//! use hearth_sdk::offline::{LocalStore, Offline};
//!
//! let anonymous = Client::new("http://127.0.0.1:8080")?;
//! let alice = anonymous.signed_in(anonymous.login("alice", "correct horse battery").await?.tokens);
//! let store = Arc::new(LocalStore::open("alice.sqlite3")?);
//! let offline = Offline::start(alice, store.clone());
//! let mut changes = offline.subscribe();
//! offline.synced().await; // the first bootstrap or catch-up is in
//! for conversation in store.conversations()? {
//!     println!("{:?}: {} unread", conversation.title, conversation.unread);
//! }
//! let dm = store.conversations()?[0].id;
//! offline.send(dm, "hello, even offline", None)?; // pending at once, sent when it can be
//! while let Ok(change) = changes.recv().await {
//!     // re-read what `change` names from the store
//! }
//! # Ok(()) }
//! ```

mod apply;
mod engine;
mod outbox;
mod schema;
mod store;

use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

pub use apply::LiveOutcome;
pub use engine::{Connection, Ephemeral, Offline};
pub use outbox::{Backoff, Delivery, Disposition, OutboxItem, disposition};
pub use store::{LocalConversation, LocalMessage, LocalStatus, LocalStore, LocalUser, StoreError};

/// What changed in the store (or in the engine's view of the world): re-read it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// The conversation list (a new message moves one up, unread counts, titles).
    Conversations,
    /// The messages of one conversation.
    Messages(Uuid),
    /// A conversation is gone (left, removed, deleted): close it if open.
    Gone(Uuid),
    /// The server named a conversation this store has not bootstrapped (internal: the
    /// engine bootstraps again).
    Unknown(Uuid),
    /// The outbox moved (a send went out, failed, or waits).
    Outbox,
    /// The connection to the server went up or down.
    Connection(Connection),
    /// Someone is typing, or stopped, in a conversation.
    Typing(Uuid),
    /// Who is online changed.
    Presence,
}

/// Now as Unix milliseconds, the outbox's clock.
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]
mod tests;
