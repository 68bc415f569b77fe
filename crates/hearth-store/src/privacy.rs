//! Privacy settings and blocks.

use hearth_domain::{Privacy, Relation, Timestamp, User, UserId};

use crate::StoreError;

/// A user someone blocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedUser {
    /// The blocked user.
    pub user: User,
    /// Since when.
    pub since: Timestamp,
}

/// Storage of privacy settings and blocks.
#[async_trait::async_trait]
pub trait PrivacyStore: Send + Sync {
    /// The user's settings (the defaults when never set).
    async fn privacy(&self, user: UserId) -> Result<Privacy, StoreError>;

    /// Replaces the user's settings.
    async fn set_privacy(&self, user: UserId, privacy: Privacy) -> Result<(), StoreError>;

    /// `blocker` blocks `blocked`; returns whether the block is new. `NotFound(User)` when
    /// `blocked` does not exist.
    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Lifts a block; returns whether there was one.
    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError>;

    /// Everyone `blocker` blocked, most recent first.
    async fn blocked_users(&self, blocker: UserId) -> Result<Vec<BlockedUser>, StoreError>;

    /// What stands between two users: a block either way, a shared conversation.
    async fn relation(&self, a: UserId, b: UserId) -> Result<Relation, StoreError>;

    /// Those of `users` who blocked `user`.
    async fn blocked_by(&self, user: UserId, users: &[UserId]) -> Result<Vec<UserId>, StoreError>;
}
