//! What every operation is given: the use cases, the node's hub, and who is asking.

use async_graphql::Context;
use hearth_app::{App, Caller};
use hearth_domain::{ConversationId, MessageId, UserId};
use hearth_proto::ErrorCode;
use std::str::FromStr;
use std::sync::Arc;

use hearth_realtime::Hub;

use crate::error::refuse;

/// The schema's data: one per server.
#[derive(Clone, Debug)]
pub(crate) struct Shared {
    /// Every use case, shared: the state is cloned for every request and every loader, and a
    /// whole `App` is dozens of handles to clone and drop.
    pub app: Arc<App>,
    /// This node's connections (subscriptions register here).
    pub hub: Arc<Hub>,
}

/// Who is asking: the request's (or the websocket's) authenticated caller, if any.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Asking(pub Option<Caller>);

/// The caller, or `unauthorized` when the request came without a valid token.
pub(crate) fn caller(ctx: &Context<'_>) -> async_graphql::Result<Caller> {
    ctx.data_opt::<Asking>()
        .and_then(|asking| asking.0)
        .ok_or_else(|| {
            refuse(
                ErrorCode::Unauthorized,
                "send `Authorization: Bearer <access token>`",
            )
        })
}

/// An id given as an argument. A malformed one names nothing: `not_found`, as a malformed
/// id in a REST path.
fn parse_id<T: FromStr>(raw: &str, what: &str) -> async_graphql::Result<T> {
    raw.trim()
        .parse()
        .map_err(|_| refuse(ErrorCode::NotFound, format!("{what} not found")))
}

/// A conversation id argument.
pub(crate) fn conversation_id(raw: &str) -> async_graphql::Result<ConversationId> {
    parse_id(raw, "conversation")
}

/// A message id argument.
pub(crate) fn message_id(raw: &str) -> async_graphql::Result<MessageId> {
    parse_id(raw, "message")
}

/// A media id argument.
pub(crate) fn media_id(raw: &str) -> async_graphql::Result<hearth_domain::MediaId> {
    parse_id(raw, "media")
}

/// A user id argument.
pub(crate) fn user_id(raw: &str) -> async_graphql::Result<UserId> {
    parse_id(raw, "user")
}
