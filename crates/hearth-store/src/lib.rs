//! Hearth's storage ports: what the use cases need from a database, one narrow trait per
//! concern, shaped by the use cases rather than by tables.
//!
//! Adapters (SQLite now, PostgreSQL for scale-out) implement every trait and run the same
//! [`conformance`] suite (feature `testing`), so behaviour never differs between backends.
//! Adapters turn their driver's errors into [`StoreError`] meaning ("conflict", "unavailable")
//! at the boundary. This crate must never know about SQL, HTTP or wire formats, and it holds
//! no business rule that a use case could hold instead: it stores, numbers and reads.

mod accounts;
mod background;
mod conversations;
mod error;
mod history;
mod media;
mod members;
mod message_changes;
mod messages;
mod privacy;
mod search;
mod secrets;
mod sessions;
mod sign_ins;
pub mod stored;
mod sync;
pub mod transfer;
mod users;

#[cfg(feature = "testing")]
pub mod conformance;

use std::sync::Arc;

pub use accounts::{
    Account, AccountStore, ErasedAccount, NewAccountToken, TokenPurpose, UsedToken,
};
pub use background::{in_background, is_background};
pub use conversations::{
    ConversationStore, DirectConversation, Discovered, Discovery, NewConversation, Standing,
};
pub use error::{ConflictKind, Missing, StoreError};
pub use history::{MentionStore, MessagePageStore};
pub use media::{MediaRecord, MediaStore, NewMedia};
pub use members::{Departure, JoinRequest, MemberStore, NewMember};
pub use message_changes::{
    ChangeOutcome, MessageDeletion, MessageEdit, MessageEditStore, ReactionChange, ReactionStore,
};
pub use messages::{MessageStore, NewMessage, SendOutcome};
pub use privacy::{BlockedUser, PrivacyStore};
pub use search::{MessageSearch, SearchStore};
pub use secrets::{SecretStore, StoredDataKey};
pub use sessions::{NewRefreshToken, RefreshTokenRecord, SessionRecord, SessionStore, TokenHash};
pub use sign_ins::{ExternalIdentity, SignInFlow, SignInHandoff, SignInStore};
pub use sync::{ConversationCursor, SyncStore};
pub use users::{Contact, Credentials, NewUser, ProfileChange, UserStore};

/// The figures of a backend's connection pool at one moment (for `/readyz` and `/metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolFigures {
    /// Most connections the pool opens.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Connections open and lent out.
    pub in_use: usize,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

/// Liveness and lifetime of the backend.
#[async_trait::async_trait]
pub trait HealthStore: Send + Sync {
    /// The connection pool's figures now, for a backend that keeps one (`None`: it has no
    /// pool, as the embedded SQLite store).
    fn pool_figures(&self) -> Option<PoolFigures> {
        None
    }
    /// Answers when the database can serve reads and the writer is alive (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// Finishes the writes already queued, then closes the connections; later calls fail
    /// with [`StoreError::Unavailable`]. The server calls it once, when it stops.
    async fn close(&self);
}

/// Everything a Hearth server needs from its database.
pub trait Store:
    UserStore
    + AccountStore
    + SessionStore
    + ConversationStore
    + MemberStore
    + PrivacyStore
    + MessageStore
    + MessageEditStore
    + ReactionStore
    + MessagePageStore
    + MentionStore
    + SearchStore
    + SyncStore
    + SecretStore
    + SignInStore
    + MediaStore
    + HealthStore
    + std::fmt::Debug
{
}

impl<T> Store for T where
    T: UserStore
        + AccountStore
        + SessionStore
        + ConversationStore
        + MemberStore
        + PrivacyStore
        + MessageStore
        + MessageEditStore
        + ReactionStore
        + MessagePageStore
        + MentionStore
        + SearchStore
        + SyncStore
        + SecretStore
        + SignInStore
        + MediaStore
        + HealthStore
        + std::fmt::Debug
{
}

/// The store as the use cases hold it: one type, whatever the backend.
pub type DynStore = Arc<dyn Store>;
