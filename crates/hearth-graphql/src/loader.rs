//! The request's batch loader of users: every `Message.sender` of one response is named by one
//! call of the use cases (the name cache, then one store read for the users it lacks), not
//! one per message.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use hearth_app::App;
use hearth_domain::UserId;

use crate::types::GqlUser;

/// Loads users by id, many at once.
#[derive(Debug)]
pub(crate) struct UserLoader {
    pub app: std::sync::Arc<App>,
}

impl Loader<UserId> for UserLoader {
    type Value = GqlUser;
    // Never fails: a user the store cannot name now is left out, and named by their id.
    type Error = std::convert::Infallible;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, GqlUser>, Self::Error> {
        let named = self.app.users.names(keys).await;
        Ok(named
            .iter()
            .map(|user| (user.id, GqlUser::from(user)))
            .collect())
    }
}
