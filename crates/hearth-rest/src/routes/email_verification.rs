//! `/v1/auth/verify-email`: following a mailed confirmation link, and asking for a new one
//! (on a server with `auth.require_email_verification`); `/v1/users/me/email`: asking to move
//! the account to a new address, which such a link then proves.

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{
    ChangeEmailRequest, Envelope, ErrorEnvelope, Ok, ResendVerificationRequest, VerifyEmailRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ClientIp};
use crate::json::Json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(resend))
        .routes(routes!(change_email))
}

/// Change my e-mail address: a confirmation link is mailed to the new one, and the account
/// moves there (proven) when it is followed; until then the old address stays.
#[utoipa::path(post, path = "/v1/users/me/email", tag = "users", request_body = ChangeEmailRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A link is mailed to the new address", body = Envelope<Ok>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 409, description = "Another account has that address", body = ErrorEnvelope),
        (status = 422, description = "Not an address, already the account's, or a wrong or missing password (`details` names which)", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn change_email(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ClientIp(ip): ClientIp,
    Json(body): Json<ChangeEmailRequest>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .request_email_change(caller, &body.email, body.password.as_deref(), ip)
        .await?;
    Ok(ok(Ok::default()))
}

/// Confirm an e-mail address with the token of a mailed link; the account may then sign in.
#[utoipa::path(post, path = "/v1/auth/verify-email", tag = "auth",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "The address is confirmed", body = Envelope<Ok>),
        (status = 400, description = "`invalid_token`: unknown, used or expired link, or one for an address the account no longer has", body = ErrorEnvelope),
    ))]
async fn verify(
    State(state): State<RestState>,
    Json(body): Json<VerifyEmailRequest>,
) -> Result<Response, ApiError> {
    state.app.accounts.verify_email(&body.token).await?;
    Ok(ok(Ok::default()))
}

/// Ask for a new confirmation link, naming the account by username or e-mail address. The
/// answer is the same whether or not such an account exists and needs one.
#[utoipa::path(post, path = "/v1/auth/verify-email/resend", tag = "auth",
    request_body = ResendVerificationRequest,
    responses(
        (status = 200, description = "If the account exists and its address is not confirmed, a link is on its way", body = Envelope<Ok>),
        (status = 422, description = "Empty or overlong login", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address or for this account", body = ErrorEnvelope),
    ))]
async fn resend(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<ResendVerificationRequest>,
) -> Result<Response, ApiError> {
    state
        .app
        .accounts
        .resend_verification(&body.login, ip)
        .await?;
    Ok(ok(Ok::default()))
}
