//! Profiles and finding people.

use hearth_domain::{Limit, SearchQuery, User, UserId};
use hearth_store::DynStore;

use crate::{AppError, Caller};

/// The user use cases.
#[derive(Clone, Debug)]
pub struct UserService {
    store: DynStore,
}

impl UserService {
    pub(crate) fn new(store: DynStore) -> Self {
        Self { store }
    }

    /// The caller's own account.
    pub async fn me(&self, caller: Caller) -> Result<User, AppError> {
        self.store
            .user(caller.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))
    }

    /// Other users whose username or display name starts with `query`.
    pub async fn search(
        &self,
        caller: Caller,
        query: &str,
        limit: Option<i64>,
    ) -> Result<Vec<User>, AppError> {
        let mut errors = hearth_domain::ValidationErrors::default();
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

    /// The user with this id.
    pub async fn get(&self, id: UserId) -> Result<User, AppError> {
        self.store.user(id).await?.ok_or(AppError::NotFound("user"))
    }
}
