//! `/v1/conversations`: the list, direct conversations, one conversation, read markers.

use axum::extract::State;
use axum::response::Response;
use hearth_app::UserLookup;
use hearth_proto::{
    ConversationDto, ConversationList, DeliveredMarker, DirectRequest, Envelope, ErrorEnvelope,
    MarkDeliveredRequest, MarkReadRequest, ReadMarker,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath};
use crate::json::Json;
use crate::render::{created_or_ok, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(direct))
        .routes(routes!(get_one))
        .routes(routes!(mark_read))
        .routes(routes!(mark_delivered))
}

/// The caller's conversations, most recently active first, with last message and unread count.
#[utoipa::path(get, path = "/v1/conversations", operation_id = "list_conversations", tag = "conversations", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's conversations", body = Envelope<ConversationList>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn list(State(state): State<RestState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let conversations = state.app.conversations.list(caller).await?;
    Ok(ok(ConversationList {
        conversations: conversations.iter().map(ConversationDto::from).collect(),
    }))
}

/// Get or create the direct conversation with another user, named by exactly one of
/// `other_user_id`, `username` or `email` (201 when created, 200 when it existed). Starting
/// one needs the other user's consent (their `direct_messages` privacy) and no block between
/// you.
#[utoipa::path(post, path = "/v1/conversations/direct", tag = "conversations", request_body = DirectRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Envelope<ConversationDto>),
        (status = 200, description = "Already existed", body = Envelope<ConversationDto>),
        (status = 403, description = "The user does not accept it, or a block", body = ErrorEnvelope),
        (status = 404, description = "No such user", body = ErrorEnvelope),
        (status = 422, description = "Not exactly one valid user key, or yourself", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn direct(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<DirectRequest>,
) -> Result<Response, ApiError> {
    let other = UserLookup::one_of(
        "other_user_id",
        body.other_user_id,
        body.username,
        body.email,
    )?;
    let outcome = state.app.conversations.direct(caller, other).await?;
    Ok(created_or_ok(
        outcome.created,
        ConversationDto::from(&outcome.conversation),
    ))
}

/// One conversation the caller is in.
#[utoipa::path(get, path = "/v1/conversations/{id}", operation_id = "get_conversation", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation", body = Envelope<ConversationDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
    ))]
async fn get_one(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
) -> Result<Response, ApiError> {
    let conversation = state.app.conversations.get(caller, id).await?;
    Ok(ok(ConversationDto::from(&conversation)))
}

/// Move the caller's read marker forward (never back; clamped to the latest seq).
#[utoipa::path(post, path = "/v1/conversations/{id}/read", tag = "conversations", request_body = MarkReadRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The marker after the move", body = Envelope<ReadMarker>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Negative seq", body = ErrorEnvelope),
    ))]
async fn mark_read(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<MarkReadRequest>,
) -> Result<Response, ApiError> {
    let (last_read_seq, unread_count) = state
        .app
        .conversations
        .mark_read(caller, id, body.seq)
        .await?;
    Ok(ok(ReadMarker {
        conversation_id: id.as_uuid(),
        last_read_seq,
        unread_count,
    }))
}

/// Move the caller's delivered marker forward: a device of theirs has the messages up to `seq`
/// (never back; clamped to the latest seq). Senders see `delivered` once every other member's
/// marker passes their message.
#[utoipa::path(post, path = "/v1/conversations/{id}/delivered", tag = "conversations", request_body = MarkDeliveredRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The marker after the move", body = Envelope<DeliveredMarker>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Negative seq", body = ErrorEnvelope),
    ))]
async fn mark_delivered(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<MarkDeliveredRequest>,
) -> Result<Response, ApiError> {
    let last_delivered_seq = state
        .app
        .conversations
        .mark_delivered(caller, id, body.seq)
        .await?;
    Ok(ok(DeliveredMarker {
        conversation_id: id.as_uuid(),
        last_delivered_seq,
    }))
}
