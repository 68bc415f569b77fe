//! `/v1/conversations` for groups, public rooms and channels: create, discover, settings,
//! delete.

use axum::extract::State;
use axum::response::Response;
use hearth_app::{CreateInput, DiscoverInput, SettingsInput};
use hearth_proto::{
    ConversationDto, CreateConversationRequest, DiscoverList, Envelope, ErrorEnvelope, Ok,
    PublicConversationDto, UpdateSettingsRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath, Query, int_param};
use crate::json::Json;
use crate::render::{created, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(discover))
        .routes(routes!(update_settings, delete))
}

/// Create a group, public room or channel; the caller becomes its owner. Members named in
/// `member_ids` must accept being added by the caller (their `group_invites` privacy).
#[utoipa::path(post, path = "/v1/conversations", tag = "conversations",
    request_body = CreateConversationRequest, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Envelope<ConversationDto>),
        (status = 403, description = "A member does not accept being added by you", body = ErrorEnvelope),
        (status = 404, description = "A member does not exist", body = ErrorEnvelope),
        (status = 409, description = "A room or channel with this name exists", body = ErrorEnvelope),
        (status = 422, description = "Invalid type, title, description, member ids or visibility", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn create(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<CreateConversationRequest>,
) -> Result<Response, ApiError> {
    let summary = state
        .app
        .conversations
        .create(
            caller,
            CreateInput {
                kind: body.kind,
                title: body.title,
                description: body.description,
                member_ids: body.member_ids,
                require_approval: body.require_approval,
                history_visibility: body.history_visibility,
            },
        )
        .await?;
    Ok(created(ConversationDto::from(&summary)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct DiscoverParams {
    /// Text the name must contain (case-insensitive).
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// Public rooms and channels, by name, with member counts (seed 003 discovery).
#[utoipa::path(get, path = "/v1/conversations/discover", tag = "conversations",
    params(DiscoverParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of public conversations", body = Envelope<DiscoverList>),
        (status = 400, description = "Malformed cursor", body = ErrorEnvelope),
        (status = 422, description = "Invalid q or limit", body = ErrorEnvelope),
    ))]
async fn discover(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Query(params): Query<DiscoverParams>,
) -> Result<Response, ApiError> {
    let input = DiscoverInput {
        limit: int_param("limit", params.limit.as_deref())?,
        q: params.q,
        cursor: params.cursor,
    };
    let page = state.app.conversations.discover(caller, input).await?;
    Ok(ok(DiscoverList {
        conversations: page
            .conversations
            .iter()
            .map(|d| PublicConversationDto::of(&d.conversation, d.joined))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Change the title, description or settings (`can_change_settings`); absent fields keep
/// their value. A change logs a `conversation_updated` event.
#[utoipa::path(patch, path = "/v1/conversations/{id}", tag = "conversations",
    request_body = UpdateSettingsRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation as it is now", body = Envelope<ConversationDto>),
        (status = 403, description = "Not a member, not allowed, or a direct conversation", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 409, description = "A room or channel with this name exists", body = ErrorEnvelope),
        (status = 422, description = "Invalid title, description or visibility", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn update_settings(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<UpdateSettingsRequest>,
) -> Result<Response, ApiError> {
    let summary = state
        .app
        .conversations
        .update_settings(
            caller,
            id,
            SettingsInput {
                title: body.title,
                description: body.description,
                require_approval: body.require_approval,
                history_visibility: body.history_visibility,
            },
        )
        .await?;
    Ok(ok(ConversationDto::from(&summary)))
}

/// Delete a group, room or channel for everyone (the owner only). Members get a
/// `conversation_deleted` event; then it is gone.
#[utoipa::path(delete, path = "/v1/conversations/{id}", operation_id = "delete_conversation", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Deleted", body = Envelope<Ok>),
        (status = 403, description = "Not the owner, or a direct conversation", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn delete(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
) -> Result<Response, ApiError> {
    state.app.conversations.delete(caller, id).await?;
    Ok(ok(Ok { ok: true }))
}
