//! `/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}`: the caller's reactions.

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{Envelope, ErrorEnvelope, MessageDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, EmojiPath, MessagePath};
use crate::render::{created_or_ok, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new().routes(routes!(add, remove))
}

/// React with an emoji (percent-encoded in the path). One reaction per member and emoji: 201
/// when added (a `reaction_added` event is logged), 200 when it was already there. A message
/// takes at most 20 different emoji.
#[utoipa::path(put, path = "/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", operation_id = "add_reaction",
    tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "Message id"),
           ("emoji" = String, Path, description = "One Unicode emoji, percent-encoded")),
    responses(
        (status = 201, description = "Added; the message as it is now", body = Envelope<MessageDto>),
        (status = 200, description = "Already there; the message", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
        (status = 409, description = "The message was deleted, or has the most different emoji", body = ErrorEnvelope),
        (status = 422, description = "Not an emoji", body = ErrorEnvelope),
    ))]
async fn add(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
    EmojiPath(emoji): EmojiPath,
) -> Result<Response, ApiError> {
    let change = state
        .app
        .messages
        .react(caller, conversation, message, &emoji)
        .await?;
    Ok(created_or_ok(
        change.changed(),
        MessageDto::for_viewer(&change.message, caller.user_id),
    ))
}

/// Take back your reaction (a `reaction_removed` event is logged); not there changes nothing.
#[utoipa::path(delete, path = "/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", operation_id = "remove_reaction",
    tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "Message id"),
           ("emoji" = String, Path, description = "One Unicode emoji, percent-encoded")),
    responses(
        (status = 200, description = "The message as it is now", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
        (status = 422, description = "Not an emoji", body = ErrorEnvelope),
    ))]
async fn remove(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
    EmojiPath(emoji): EmojiPath,
) -> Result<Response, ApiError> {
    let change = state
        .app
        .messages
        .unreact(caller, conversation, message, &emoji)
        .await?;
    Ok(ok(MessageDto::for_viewer(&change.message, caller.user_id)))
}
