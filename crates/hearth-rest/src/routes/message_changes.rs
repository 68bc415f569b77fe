//! `/v1/conversations/{id}/messages/{message_id}`: one message, its edit and its deletion.

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{EditMessageRequest, Envelope, ErrorEnvelope, MessageDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, MessagePath};
use crate::json::Json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new().routes(routes!(get_one, edit, delete))
}

/// One message as it is now.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages/{message_id}", operation_id = "get_message", tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "Message id")),
    responses(
        (status = 200, description = "The message", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
    ))]
async fn get_one(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
) -> Result<Response, ApiError> {
    let (message, markers) = state
        .app
        .messages
        .get_with_markers(caller, conversation, message)
        .await?;
    Ok(ok(MessageDto::seen_by(&message, caller.user_id, &markers)))
}

/// Edit your own message: replaces its text (and its mentions), counts the edit and logs a
/// `message_updated` event. Allowed within the server's edit window (48 hours by default).
/// The same text again changes nothing, so a retry is harmless.
#[utoipa::path(patch, path = "/v1/conversations/{id}/messages/{message_id}", tag = "messages",
    request_body = EditMessageRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "Message id")),
    responses(
        (status = 200, description = "The edited message", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member, not the author, or the edit window closed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
        (status = 409, description = "The message was deleted", body = ErrorEnvelope),
        (status = 422, description = "Invalid content", body = ErrorEnvelope),
    ))]
async fn edit(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
    Json(body): Json<EditMessageRequest>,
) -> Result<Response, ApiError> {
    let change = state
        .app
        .messages
        .edit(caller, conversation, message, &body.content)
        .await?;
    Ok(ok(MessageDto::for_viewer(&change.message, caller.user_id)))
}

/// Delete a message (your own): it becomes a tombstone (`deleted: true`, no content,
/// mentions or reactions) that keeps its place, and a `message_deleted` event is logged.
/// Deleting it again answers the tombstone.
#[utoipa::path(delete, path = "/v1/conversations/{id}/messages/{message_id}", operation_id = "delete_message", tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "Message id")),
    responses(
        (status = 200, description = "The tombstone", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member, or not allowed to delete it", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
    ))]
async fn delete(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
) -> Result<Response, ApiError> {
    let change = state
        .app
        .messages
        .delete(caller, conversation, message)
        .await?;
    Ok(ok(MessageDto::for_viewer(&change.message, caller.user_id)))
}
