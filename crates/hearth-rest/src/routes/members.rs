//! `/v1/conversations/{id}/…` membership: members, join and leave, roles and permissions,
//! ownership transfer, join requests.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_app::{JoinOutcome, JoinRequest, MemberUpdate, PermissionsPatch, UserLookup};
use hearth_proto::{
    AddMemberRequest, ConversationDto, Envelope, ErrorEnvelope, JoinRequestDto, JoinRequestList,
    MemberDto, MemberList, Ok, TransferRequest, UpdateMemberRequest, UserDto,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath, MemberPath, Query, int_param};
use crate::json::Json;
use crate::render::{created, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(update, remove))
        .routes(routes!(join))
        .routes(routes!(leave))
        .routes(routes!(transfer))
        .routes(routes!(join_requests))
        .routes(routes!(approve))
        .routes(routes!(deny))
}

fn join_request(request: &JoinRequest) -> JoinRequestDto {
    JoinRequestDto {
        conversation_id: request.conversation_id.as_uuid(),
        user: UserDto::from(&request.user),
        created_at: request.created_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
struct MemberParams {
    /// Members to skip (default 0).
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// Members in join order, paged (any member may list them).
#[utoipa::path(get, path = "/v1/conversations/{id}/members", operation_id = "list_members", tag = "members",
    params(("id" = String, Path, description = "Conversation id"), MemberParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of members", body = Envelope<MemberList>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Invalid offset or limit", body = ErrorEnvelope),
    ))]
async fn list(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Query(params): Query<MemberParams>,
) -> Result<Response, ApiError> {
    let limit = int_param("limit", params.limit.as_deref())?;
    let offset = int_param("offset", params.offset.as_deref())?;
    let (members, has_more) = state
        .app
        .conversations
        .members(caller, id, offset, limit)
        .await?;
    Ok(ok(MemberList {
        members: members.iter().map(MemberDto::from).collect(),
        has_more,
    }))
}

/// Add someone, named by exactly one of `user_id`, `username` or `email`
/// (`can_manage_participants`; they must accept being added by you). Logs `member_joined`.
#[utoipa::path(post, path = "/v1/conversations/{id}/members", operation_id = "add_member", tag = "members",
    request_body = AddMemberRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 201, description = "The new member", body = Envelope<MemberDto>),
        (status = 403, description = "Not allowed, a direct conversation, or the user does not accept it", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or user", body = ErrorEnvelope),
        (status = 409, description = "Already a member", body = ErrorEnvelope),
        (status = 422, description = "Not exactly one valid user key", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn add(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<AddMemberRequest>,
) -> Result<Response, ApiError> {
    let who = UserLookup::one_of("user_id", body.user_id, body.username, body.email)?;
    let member = state.app.conversations.add_member(caller, id, who).await?;
    Ok(created(MemberDto::from(&member)))
}

/// Change a member's role (`admin`/`member`) or permissions. Owners and admins manage
/// ordinary members; only the owner manages admins; members holding `can_moderate_content`
/// may only mute and unmute (`can_send_messages`). Logs `member_updated`.
#[utoipa::path(patch, path = "/v1/conversations/{id}/members/{user_id}", tag = "members",
    request_body = UpdateMemberRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, description = "The member as they are now", body = Envelope<MemberDto>),
        (status = 403, description = "Not allowed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or member", body = ErrorEnvelope),
        (status = 422, description = "Invalid role or permissions", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn update(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MemberPath(id, user): MemberPath,
    Json(body): Json<UpdateMemberRequest>,
) -> Result<Response, ApiError> {
    let update = MemberUpdate {
        role: body.role,
        permissions: body.permissions.map(|p| PermissionsPatch {
            can_send_messages: p.can_send_messages,
            can_manage_participants: p.can_manage_participants,
            can_change_settings: p.can_change_settings,
            can_delete_messages: p.can_delete_messages,
            can_moderate_content: p.can_moderate_content,
            // Not settable: the wire type refuses it as an unknown field.
            is_admin: None,
        }),
    };
    let member = state
        .app
        .conversations
        .update_member(caller, id, &user, update)
        .await?;
    Ok(ok(MemberDto::from(&member)))
}

/// Remove a member (`can_manage_participants`; never the owner; admins only by the owner).
/// Logs `member_removed`; the removed member hears of it too.
#[utoipa::path(delete, path = "/v1/conversations/{id}/members/{user_id}", operation_id = "remove_member", tag = "members",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, description = "Removed", body = Envelope<Ok>),
        (status = 403, description = "Not allowed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or member", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn remove(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MemberPath(id, user): MemberPath,
) -> Result<Response, ApiError> {
    state
        .app
        .conversations
        .remove_member(caller, id, &user)
        .await?;
    Ok(ok(Ok { ok: true }))
}

/// Join a public room or channel (200 with the conversation), or ask to join one that
/// requires approval (202 with the pending request). A private group takes requests only when
/// it requires approval.
#[utoipa::path(post, path = "/v1/conversations/{id}/join", tag = "members",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Joined", body = Envelope<ConversationDto>),
        (status = 202, description = "Asked; waiting for approval", body = Envelope<JoinRequestDto>),
        (status = 403, description = "A private group or a direct conversation", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 409, description = "Already a member, or already asked", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn join(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
) -> Result<Response, ApiError> {
    Ok(match state.app.conversations.join(caller, id).await? {
        JoinOutcome::Joined(summary) => ok(ConversationDto::from(summary.as_ref())),
        JoinOutcome::Requested(request) => (
            StatusCode::ACCEPTED,
            axum::Json(Envelope {
                data: join_request(&request),
            }),
        )
            .into_response(),
    })
}

/// Leave (not the owner, who transfers ownership or deletes instead). Logs `member_left`.
#[utoipa::path(post, path = "/v1/conversations/{id}/leave", tag = "members",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Left", body = Envelope<Ok>),
        (status = 403, description = "Not a member, the owner, or a direct conversation", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn leave(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
) -> Result<Response, ApiError> {
    state.app.conversations.leave(caller, id).await?;
    Ok(ok(Ok { ok: true }))
}

/// Hand ownership to another member (the owner only; seed 001 `transferAdmin`). The former
/// owner becomes an admin. Logs `ownership_transferred`.
#[utoipa::path(post, path = "/v1/conversations/{id}/transfer", tag = "members",
    request_body = TransferRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation as it is now", body = Envelope<ConversationDto>),
        (status = 403, description = "Not the owner", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or member", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn transfer(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<TransferRequest>,
) -> Result<Response, ApiError> {
    let summary = state
        .app
        .conversations
        .transfer_ownership(caller, id, &body.user_id)
        .await?;
    Ok(ok(ConversationDto::from(&summary)))
}

/// Pending join requests (`can_manage_participants`).
#[utoipa::path(get, path = "/v1/conversations/{id}/join-requests", tag = "members",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Pending requests, oldest first", body = Envelope<JoinRequestList>),
        (status = 403, description = "Not allowed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
    ))]
async fn join_requests(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
) -> Result<Response, ApiError> {
    let requests = state.app.conversations.join_requests(caller, id).await?;
    Ok(ok(JoinRequestList {
        join_requests: requests.iter().map(join_request).collect(),
    }))
}

/// Approve a pending request (`can_manage_participants`): the user becomes a member.
#[utoipa::path(post, path = "/v1/conversations/{id}/join-requests/{user_id}/approve",
    tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("user_id" = String, Path, description = "Who asked")),
    responses(
        (status = 201, description = "The new member", body = Envelope<MemberDto>),
        (status = 403, description = "Not allowed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or request", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn approve(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MemberPath(id, user): MemberPath,
) -> Result<Response, ApiError> {
    let member = state
        .app
        .conversations
        .approve_join_request(caller, id, &user)
        .await?;
    Ok(created(MemberDto::from(&member)))
}

/// Deny a pending request (`can_manage_participants`).
#[utoipa::path(post, path = "/v1/conversations/{id}/join-requests/{user_id}/deny",
    tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("user_id" = String, Path, description = "Who asked")),
    responses(
        (status = 200, description = "Denied", body = Envelope<Ok>),
        (status = 403, description = "Not allowed", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or request", body = ErrorEnvelope),
        (status = 429, description = "Too many conversation changes (limits.conversation_changes_per_user_per_minute)", body = ErrorEnvelope),
    ))]
async fn deny(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MemberPath(id, user): MemberPath,
) -> Result<Response, ApiError> {
    state
        .app
        .conversations
        .deny_join_request(caller, id, &user)
        .await?;
    Ok(ok(Ok { ok: true }))
}
