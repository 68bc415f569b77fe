//! `/v1/users/me/export` and `DELETE /v1/users/me`: the owner takes their data away, or
//! deletes their account.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use hearth_proto::{
    AccountExportDto, BlockedUserDto, ConversationDto, DeleteAccountRequest, Envelope,
    ErrorEnvelope, MediaDto, MessageDto, Ok, PrivacyDto, UserDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ClientIp};
use crate::json::Json;
use crate::render::ok;
use crate::routes::sessions::session_dto;
use crate::routes::sign_in::identity_dtos;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(delete_me))
}

/// Download everything the server keeps about me as one JSON archive: profile, address,
/// sessions, linked providers, privacy, blocks, conversations, every message I sent and the
/// records of every file I uploaded.
#[utoipa::path(get, path = "/v1/users/me/export", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The archive (served as an attachment)", body = Envelope<AccountExportDto>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn export(State(state): State<RestState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let data = state.app.accounts.export(caller).await?;
    let filename = format!(
        "attachment; filename=\"hearth-{}-export.json\"",
        data.account.user.username.as_str()
    );
    let me = caller.user_id;
    let archive = AccountExportDto {
        exported_at: hearth_app::now(),
        user: UserDto::from(&data.account.user),
        email: data.account.email,
        email_verified_at: data.account.user.email_verified_at,
        sessions: data.sessions.into_iter().map(session_dto).collect(),
        identities: identity_dtos(&state, data.identities),
        privacy: PrivacyDto::from(&data.privacy),
        blocked: data
            .blocked
            .iter()
            .map(|b| BlockedUserDto {
                user: UserDto::from(&b.user),
                since: b.since,
            })
            .collect(),
        conversations: data
            .conversations
            .iter()
            .map(ConversationDto::from)
            .collect(),
        messages: data
            .messages
            .iter()
            .map(|m| MessageDto::for_viewer(m, me))
            .collect(),
        uploads: data.uploads.iter().map(MediaDto::from).collect(),
    };
    let mut response = ok(archive);
    if let Ok(value) = HeaderValue::from_str(&filename) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Delete my account. Its sessions end at once; the messages I sent become tombstones from
/// "Deleted user" (in the background, each announced like a deletion); what is left of the
/// account keeps no name, address or password of mine. Needs my password when the account
/// has one.
#[utoipa::path(delete, path = "/v1/users/me", tag = "users", request_body = DeleteAccountRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deleted", body = Envelope<Ok>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 422, description = "Wrong or missing password (`details.password`)", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn delete_me(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ClientIp(ip): ClientIp,
    Json(body): Json<DeleteAccountRequest>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .delete_account(caller, body.password.as_deref(), ip)
        .await?;
    Ok(ok(Ok::default()))
}
