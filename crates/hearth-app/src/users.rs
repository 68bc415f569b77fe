//! Profiles and finding people.

use std::sync::Arc;

use hearth_domain::{About, DisplayName, Limit, SearchQuery, User, UserId, ValidationErrors};
use hearth_store::{DynStore, ProfileChange};

use crate::clock::now;
use crate::realtime::UserRef;
use crate::user_names::UserNames;
use crate::{AppError, Caller, RateLimits};

/// A change to the caller's own profile, as a face received it; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    /// The new display name.
    pub display_name: Option<String>,
    /// The new about text (empty clears it).
    pub about: Option<String>,
}

/// The user use cases.
#[derive(Clone, Debug)]
pub struct UserService {
    store: DynStore,
    names: UserNames,
    limits: Arc<RateLimits>,
}

impl UserService {
    pub(crate) fn new(store: DynStore, names: UserNames, limits: Arc<RateLimits>) -> Self {
        Self {
            store,
            names,
            limits,
        }
    }

    /// The caller's own account.
    pub async fn me(&self, caller: Caller) -> Result<User, AppError> {
        self.store
            .user(caller.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))
    }

    /// Changes the caller's own profile and returns the account as it is now. Every field is
    /// checked before anything is written, and the errors name each field that fails. Once it
    /// is durable, every node forgets the names it cached for the caller, so their next
    /// message's events carry the new display name.
    pub async fn update_profile(
        &self,
        caller: Caller,
        input: ProfileInput,
    ) -> Result<User, AppError> {
        let mut errors = ValidationErrors::default();
        let display_name = match input.display_name.as_deref() {
            None => Some(None),
            Some(name) => errors.check(DisplayName::parse(name)).map(Some),
        };
        let about = match input.about.as_deref() {
            None => Some(None),
            Some(text) => errors.check(About::parse(text)).map(Some),
        };
        errors.into_result()?;
        let (Some(display_name), Some(about)) = (display_name, about) else {
            return Err(AppError::BadRequest("invalid profile".to_owned()));
        };
        let change = ProfileChange {
            display_name,
            about,
            avatar: None,
        };
        let user = self
            .store
            .update_profile(caller.user_id, change, now())
            .await
            .map_err(|err| match AppError::from(err) {
                AppError::NotFound(_) => AppError::Unauthorized("account no longer exists"),
                other => other,
            })?;
        self.names.forget(caller.user_id);
        Ok(user)
    }

    /// Other users whose username or display name starts with `query`.
    pub async fn search(
        &self,
        caller: Caller,
        query: &str,
        limit: Option<i64>,
    ) -> Result<Vec<User>, AppError> {
        let mut errors = ValidationErrors::default();
        let query = errors.check(SearchQuery::parse("query", query));
        let limit = errors.check(Limit::parse(limit));
        errors.into_result()?;
        let (Some(query), Some(limit)) = (query, limit) else {
            return Err(AppError::BadRequest("invalid search".to_owned()));
        };
        Ok(self
            .store
            .search_users(&query, caller.user_id, limit)
            .await?)
    }

    /// The other user whose e-mail address is exactly `email` (any case), if there is one
    /// that is not disabled: seed 002's search by address, for people who share theirs on
    /// purpose. Never a partial match, and rate limited, so addresses cannot be harvested.
    pub async fn find_by_email(&self, caller: Caller, email: &str) -> Result<Vec<User>, AppError> {
        let email = email.trim();
        if email.is_empty() || email.chars().count() > 254 || !email.contains('@') {
            return Err(ValidationErrors::field("email", "must be an e-mail address").into());
        }
        self.limits.email_lookup(caller.user_id).await?;
        let Some(user) = self.store.user_by_email(&email.to_lowercase()).await? else {
            return Ok(Vec::new());
        };
        if user.id == caller.user_id {
            return Ok(Vec::new());
        }
        let disabled = self
            .store
            .account(user.id)
            .await?
            .is_some_and(|account| account.disabled_at.is_some());
        Ok(if disabled { Vec::new() } else { vec![user] })
    }

    /// How events name `user` (display name and username), from the process's name cache;
    /// `None` when the store does not know them or cannot answer now.
    pub async fn name(&self, user: UserId) -> Option<UserRef> {
        self.names.of(user).await
    }

    /// How events name each of `users` (display name and username), from the process's name
    /// cache, the users it lacks in one read of the store; a user the store does not know, or
    /// cannot read now, is left out.
    pub async fn names(&self, users: &[UserId]) -> Vec<UserRef> {
        let mut unique = users.to_vec();
        unique.sort_unstable();
        unique.dedup();
        self.names.of_many(&unique).await
    }

    /// The user with this id.
    pub async fn get(&self, id: UserId) -> Result<User, AppError> {
        self.store.user(id).await?.ok_or(AppError::NotFound("user"))
    }
}
