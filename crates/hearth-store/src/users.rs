//! Accounts.

use hearth_domain::{
    About, AvatarRef, DisplayName, Limit, SearchQuery, Timestamp, User, UserId, Username,
};

/// Someone who shares a conversation with a user, and when they were last connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// The contact.
    pub user: User,
    /// When their last connection ended (`None`: never connected).
    pub last_seen_at: Option<Timestamp>,
}

use crate::StoreError;

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Its id.
    pub id: UserId,
    /// Its normalised login name.
    pub username: Username,
    /// Its display name.
    pub display_name: DisplayName,
    /// The Argon2id PHC string of its password.
    pub password_hash: String,
    /// Its e-mail address, if given.
    pub email: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// An account with what is needed to check its password.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The Argon2id PHC string of its password.
    pub password_hash: String,
    /// When the operator disabled it (`None`: it may sign in).
    pub disabled_at: Option<Timestamp>,
}

/// What a user changes of their own profile; a `None` field is left as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileChange {
    /// The new display name.
    pub display_name: Option<DisplayName>,
    /// The new about text: `Some(None)` clears it, `None` keeps it.
    pub about: Option<Option<About>>,
    /// The new profile picture: `Some(None)` removes it, `None` keeps it.
    pub avatar: Option<Option<AvatarRef>>,
}

/// Storage of accounts.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// Creates an account. `Conflict(UsernameTaken)` when the name is taken (case-insensitively),
    /// `Conflict(EmailTaken)` when the address is.
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;

    /// The account with this id.
    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The accounts with these ids, in one read (for faces that name many users at once);
    /// an unknown id is left out, and the order is unspecified.
    async fn users(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError>;

    /// The account with this login name.
    async fn user_by_username(&self, username: &Username) -> Result<Option<User>, StoreError>;

    /// The account with this e-mail address (compared case-insensitively).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;

    /// The account with this login name, with its password hash.
    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError>;

    /// Accounts whose username or display name starts with the query, by username, excluding
    /// `exclude`.
    async fn search_users(
        &self,
        query: &SearchQuery,
        exclude: UserId,
        limit: Limit,
    ) -> Result<Vec<User>, StoreError>;

    /// Applies a profile change and returns the account as it is after it. `NotFound(User)`
    /// when there is no such account.
    async fn update_profile(
        &self,
        user: UserId,
        change: ProfileChange,
        at: Timestamp,
    ) -> Result<User, StoreError>;

    /// Records when the user's last connection ended.
    async fn record_last_seen(&self, user: UserId, at: Timestamp) -> Result<(), StoreError>;

    /// Everyone who shares with `user` at least one conversation of at most `largest` members
    /// (not `user`), by username.
    async fn contacts(&self, user: UserId, largest: i64) -> Result<Vec<Contact>, StoreError>;
}
