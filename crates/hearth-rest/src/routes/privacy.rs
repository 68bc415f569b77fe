//! `/v1/users/me/privacy` and `/v1/users/me/blocks`: consent settings and blocking.

use axum::extract::State;
use axum::response::Response;
use hearth_app::PrivacyInput;
use hearth_proto::{
    BlockList, BlockRequest, BlockedUserDto, Envelope, ErrorEnvelope, Ok, PrivacyDto,
    UpdatePrivacyRequest, UserDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, UserPath};
use crate::json::Json;
use crate::render::{created_or_ok, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(get_privacy, put_privacy))
        .routes(routes!(list_blocks, block))
        .routes(routes!(unblock))
}

/// Who may start a direct conversation with you and who may add you to a conversation.
#[utoipa::path(get, path = "/v1/users/me/privacy", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "Your settings", body = Envelope<PrivacyDto>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn get_privacy(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let privacy = state.app.privacy.get(caller).await?;
    Ok(ok(PrivacyDto::from(&privacy)))
}

/// Change your settings (`everyone`, `shared_conversations` or `nobody` each); absent fields
/// keep their value.
#[utoipa::path(put, path = "/v1/users/me/privacy", tag = "users", request_body = UpdatePrivacyRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your settings now", body = Envelope<PrivacyDto>),
        (status = 422, description = "An unknown value", body = ErrorEnvelope),
    ))]
async fn put_privacy(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<UpdatePrivacyRequest>,
) -> Result<Response, ApiError> {
    let privacy = state
        .app
        .privacy
        .update(
            caller,
            PrivacyInput {
                direct_messages: body.direct_messages,
                group_invites: body.group_invites,
            },
        )
        .await?;
    Ok(ok(PrivacyDto::from(&privacy)))
}

/// Everyone you blocked, most recent first.
#[utoipa::path(get, path = "/v1/users/me/blocks", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "Blocked users", body = Envelope<BlockList>),
    ))]
async fn list_blocks(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let blocked = state.app.privacy.blocked(caller).await?;
    Ok(ok(BlockList {
        blocked: blocked
            .iter()
            .map(|b| BlockedUserDto {
                user: UserDto::from(&b.user),
                since: b.since,
            })
            .collect(),
    }))
}

/// Block a user: they can no longer start or post in a direct conversation with you, add you
/// to conversations, or notify you by mentioning you. 201 when new, 200 when already blocked.
#[utoipa::path(post, path = "/v1/users/me/blocks", tag = "users", request_body = BlockRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Blocked", body = Envelope<Ok>),
        (status = 200, description = "Already blocked", body = Envelope<Ok>),
        (status = 404, description = "No such user", body = ErrorEnvelope),
        (status = 422, description = "Not a user id, or yourself", body = ErrorEnvelope),
    ))]
async fn block(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<BlockRequest>,
) -> Result<Response, ApiError> {
    let created = state.app.privacy.block(caller, &body.user_id).await?;
    Ok(created_or_ok(created, Ok { ok: true }))
}

/// Lift a block.
#[utoipa::path(delete, path = "/v1/users/me/blocks/{user_id}", tag = "users",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The blocked user's id")),
    responses(
        (status = 200, description = "Unblocked", body = Envelope<Ok>),
        (status = 404, description = "Not blocked", body = ErrorEnvelope),
    ))]
async fn unblock(
    State(state): State<RestState>,
    Auth(caller): Auth,
    UserPath(user): UserPath,
) -> Result<Response, ApiError> {
    state.app.privacy.unblock(caller, &user).await?;
    Ok(ok(Ok { ok: true }))
}
