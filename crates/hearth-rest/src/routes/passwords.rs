//! Passwords: the mailed reset (`/v1/auth/password-reset`) and the change when signed in
//! (`/v1/users/me/password`).

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{
    ChangePasswordRequest, Envelope, ErrorEnvelope, Ok, PasswordResetConfirm, PasswordResetRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ClientIp};
use crate::json::Json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(change_password))
}

/// Ask for a password-reset link by mail, naming the account by username or e-mail address.
/// The answer is the same whether or not such an account exists (and has an address); the
/// link works once, for `auth.password_reset_ttl_mins`.
#[utoipa::path(post, path = "/v1/auth/password-reset", tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 200, description = "If the account exists and has an address, a link is on its way", body = Envelope<Ok>),
        (status = 422, description = "Empty or overlong login", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address or for this account", body = ErrorEnvelope),
    ))]
async fn request_reset(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<PasswordResetRequest>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .request_password_reset(&body.login, ip)
        .await?;
    Ok(ok(Ok::default()))
}

/// Set a new password with the token of a mailed link. Every session of the account ends.
#[utoipa::path(post, path = "/v1/auth/password-reset/confirm", tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 200, description = "Password set; sign in with it", body = Envelope<Ok>),
        (status = 400, description = "`invalid_token`: unknown, used or expired link", body = ErrorEnvelope),
        (status = 403, description = "`account_disabled`", body = ErrorEnvelope),
        (status = 422, description = "The new password breaks a rule", body = ErrorEnvelope),
    ))]
async fn confirm_reset(
    State(state): State<RestState>,
    Json(body): Json<PasswordResetConfirm>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .reset_password(&body.token, &body.new_password)
        .await?;
    Ok(ok(Ok::default()))
}

/// Change your password, giving the current one. Your other sessions end; this one stays.
#[utoipa::path(post, path = "/v1/users/me/password", tag = "users",
    request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Password changed", body = Envelope<Ok>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 422, description = "Wrong current password (`details.current_password`) or a weak new one", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn change_password(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ClientIp(ip): ClientIp,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .change_password(caller, &body.current_password, &body.new_password, ip)
        .await?;
    Ok(ok(Ok::default()))
}
