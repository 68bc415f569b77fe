//! `Query`: seed 001's `conversation(id)` and `conversations`, plus `me`.

use async_graphql::{Context, ID, Object};

use crate::context::{Shared, caller, conversation_id};
use crate::error::error;
use crate::types::{GqlConversation, GqlUser};

/// The root of reads.
#[derive(Debug, Default)]
pub(crate) struct Query;

#[Object]
impl Query {
    /// One conversation the caller is in: `not_found` if there is none, `forbidden` if it is
    /// someone else's.
    async fn conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<GqlConversation>> {
        let shared = ctx.data::<Shared>()?;
        let summary = shared
            .app
            .conversations
            .get(caller(ctx)?, conversation_id(&id)?)
            .await
            .map_err(error)?;
        Ok(Some(GqlConversation { summary }))
    }

    /// The caller's conversations, most recently active first. One read of the store for the
    /// whole list, participants and last messages included.
    #[graphql(complexity = "10 * child_complexity")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<GqlConversation>> {
        let shared = ctx.data::<Shared>()?;
        let list = shared
            .app
            .conversations
            .list(caller(ctx)?)
            .await
            .map_err(error)?;
        Ok(list
            .into_iter()
            .map(|summary| GqlConversation { summary })
            .collect())
    }

    /// The caller's own account (Hearth's addition).
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<GqlUser> {
        let shared = ctx.data::<Shared>()?;
        let me = shared.app.users.me(caller(ctx)?).await.map_err(error)?;
        Ok(GqlUser::from(&me))
    }
}
