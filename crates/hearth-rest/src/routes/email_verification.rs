//! `/v1/auth/verify-email`: following a mailed confirmation link, and asking for a new one
//! (on a server with `auth.require_email_verification`).

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{Envelope, ErrorEnvelope, Ok, ResendVerificationRequest, VerifyEmailRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ClientIp;
use crate::json::Json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(resend))
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
