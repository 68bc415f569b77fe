//! Profiles and finding people.

use hearth_domain::{DisplayName, Limit, SearchQuery, User, UserId, ValidationErrors};
use hearth_store::{DynStore, ProfileChange};

use crate::clock::now;
use crate::realtime::UserRef;
use crate::user_names::UserNames;
use crate::{AppError, Caller};

/// A change to the caller's own profile, as a face received it; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    /// The new display name.
    pub display_name: Option<String>,
}

/// The user use cases.
#[derive(Clone, Debug)]
pub struct UserService {
    store: DynStore,
    names: UserNames,
}

impl UserService {
    pub(crate) fn new(store: DynStore, names: UserNames) -> Self {
        Self { store, names }
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
        errors.into_result()?;
        let Some(display_name) = display_name else {
            return Err(AppError::BadRequest("invalid profile".to_owned()));
        };
        let change = ProfileChange { display_name };
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
