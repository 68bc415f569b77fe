//! Login sessions and their rotating refresh tokens.
//!
//! A session is the family of refresh tokens descending from one login. Only SHA-256 hashes
//! of tokens are stored. The rules (rotation, reuse detection, the retry grace window) live in
//! the auth use case; this port offers the atomic steps they need.

use hearth_domain::{DeviceName, SessionId, Timestamp, UserId};
use uuid::Uuid;

use crate::StoreError;

/// The hex SHA-256 of a refresh token: all the server ever keeps of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

/// A refresh token to store.
#[derive(Clone, Debug)]
pub struct NewRefreshToken {
    /// Its id.
    pub id: Uuid,
    /// The session (family) it belongs to.
    pub session_id: SessionId,
    /// Whose it is.
    pub user_id: UserId,
    /// Its hash.
    pub token_hash: TokenHash,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// The address of the client it was issued to; its session was last used from there.
    pub ip: String,
}

/// A live session as its owner sees it in the list of their sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Its id.
    pub id: SessionId,
    /// What its device is called.
    pub device_name: DeviceName,
    /// When it signed in.
    pub created_at: Timestamp,
    /// When it last got tokens (signed in or refreshed).
    pub last_used_at: Timestamp,
    /// The address it last got tokens from.
    pub last_ip: String,
}

/// A stored refresh token and the state of its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// Its id.
    pub id: Uuid,
    /// Its session.
    pub session_id: SessionId,
    /// Whose it is.
    pub user_id: UserId,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was used up (rotated) or revoked.
    pub revoked_at: Option<Timestamp>,
    /// The token that replaced it on rotation.
    pub replaced_by_token_id: Option<Uuid>,
    /// When its whole session was revoked (logout or reuse detected).
    pub session_revoked_at: Option<Timestamp>,
}

/// Storage of sessions and refresh tokens.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync {
    /// Starts a session on `device` with its first refresh token.
    async fn create_session(
        &self,
        first: NewRefreshToken,
        device: &DeviceName,
    ) -> Result<(), StoreError>;

    /// The sessions of `user` that can still get tokens at `at` (not revoked, with an unexpired
    /// refresh token), the most recently used first.
    async fn sessions_of(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<Vec<SessionRecord>, StoreError>;

    /// The token with this hash, if any.
    async fn refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenRecord>, StoreError>;

    /// Atomically marks `old` as replaced by `new` (revoked at `new.issued_at`) and stores
    /// `new`, but only while `old` is still active, and records the session as used then and
    /// from `new.ip`. `Ok(false)` when it was not (another request rotated or revoked it
    /// first).
    async fn rotate_refresh_token(
        &self,
        old: Uuid,
        new: NewRefreshToken,
    ) -> Result<bool, StoreError>;

    /// Stores one more token in a live session without touching the others (the retry grace
    /// window), and records the session as used then and from `token.ip`.
    async fn add_refresh_token(&self, token: NewRefreshToken) -> Result<(), StoreError>;

    /// Revokes a session and every token in it.
    async fn revoke_session(&self, session: SessionId, at: Timestamp) -> Result<(), StoreError>;

    /// The sessions revoked at `since` or later, by whichever process: how a node learns of
    /// sessions that another one ended without its bus (the operator's CLI on the same
    /// database).
    async fn sessions_ended_since(&self, since: Timestamp) -> Result<Vec<SessionId>, StoreError>;
}
