//! Account administration and the single-use tokens that mails carry.
//!
//! A token (password reset, e-mail verification) is stored only as its SHA-256 hash, and is
//! used up atomically: two requests racing with one link see one success. This port stores and
//! reads; the rules (lifetimes, who is told what) live in the accounts use case.

use hearth_domain::{DisplayName, SessionId, Timestamp, User, UserId, Username};

use crate::{StoreError, TokenHash};

/// What a mailed token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Setting a new password without the old one.
    PasswordReset,
    /// Proving an e-mail address.
    EmailVerification,
    /// Proving a new address the account's owner asked to change to; the account takes it
    /// only then.
    EmailChange,
}

impl TokenPurpose {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::EmailVerification => "email_verification",
            Self::EmailChange => "email_change",
        }
    }
}

/// A mailed token to store.
#[derive(Clone, Debug)]
pub struct NewAccountToken {
    /// The hash of the token.
    pub token_hash: TokenHash,
    /// Whose it is.
    pub user_id: UserId,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// The address it proves (verification tokens only).
    pub email: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A token that was just used up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsedToken {
    /// Whose it was.
    pub user_id: UserId,
    /// The address it proves (verification tokens only).
    pub email: Option<String>,
}

/// An account as its owner and the operator see it: the public part and the private fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The public part.
    pub user: User,
    /// Its e-mail address, if it has one.
    pub email: Option<String>,
    /// When the operator disabled it (`None`: it may sign in).
    pub disabled_at: Option<Timestamp>,
}

/// What is left of a deleted account: a row that old messages and memberships still point
/// at, with nothing of its person.
#[derive(Clone, Debug)]
pub struct ErasedAccount {
    /// The account.
    pub user: UserId,
    /// The name it is known by from now on (unique, never to sign in with).
    pub username: Username,
    /// The name others see ("Deleted user").
    pub display_name: DisplayName,
    /// When it was deleted.
    pub at: Timestamp,
}

/// Storage of account administration and mailed tokens.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// The account with this id, with its private fields.
    async fn account(&self, user: UserId) -> Result<Option<Account>, StoreError>;

    /// Every account, by username (the `hearth admin list-users` command).
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;

    /// The Argon2id PHC string of the account's password.
    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError>;

    /// Replaces the account's password hash. `NotFound(User)` when there is no such account.
    async fn set_password(
        &self,
        user: UserId,
        password_hash: String,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Disables (`Some(at)`) or enables (`None`) the account. `NotFound(User)` when there is no
    /// such account.
    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>) -> Result<(), StoreError>;

    /// Revokes every live session of the account but `keep`, and their tokens; returns the
    /// sessions it revoked.
    async fn revoke_sessions_of(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError>;

    /// Records that the account's address, which must still be `email` (compared
    /// case-insensitively), was proven at `at`. `false` when the account has no such address
    /// (it changed since the link was mailed, or there is no such account).
    async fn mark_email_verified(
        &self,
        user: UserId,
        email: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Erases the person from the account: its names become `erased`'s, its address,
    /// password, verification and linked identities and unused mailed tokens are deleted,
    /// and it is disabled and marked deleted. Messages are not touched (the use case turns
    /// them into tombstones). `NotFound(User)` when there is no such account.
    async fn erase_account(&self, erased: ErasedAccount) -> Result<(), StoreError>;

    /// Gives the account the address `email`, proven at `at`. `Conflict(EmailTaken)` when
    /// another account has it, `NotFound(User)` when there is no such account.
    async fn change_email(
        &self,
        user: UserId,
        email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Stores a mailed token.
    async fn add_account_token(&self, token: NewAccountToken) -> Result<(), StoreError>;

    /// Uses up the token with this hash and purpose if it is unused and unexpired at `at`,
    /// together with every other unused token of the same user and purpose (a newer link
    /// supersedes nothing, but using one link kills the rest). `None` when there is no such
    /// live token.
    async fn use_account_token(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
        at: Timestamp,
    ) -> Result<Option<UsedToken>, StoreError>;
}
