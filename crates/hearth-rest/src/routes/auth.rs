//! `/v1/auth`: register, login, refresh, logout (seed 000).

use axum::extract::State;
use axum::response::Response;
use hearth_app::{NewSession, RegisterInput, Registered};
use hearth_proto::{
    Envelope, ErrorEnvelope, LoginRequest, LogoutRequest, Ok, RefreshRequest, RegisterRequest,
    RegistrationPending, SessionResponse, Tokens, TokensResponse, UserDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Client, ClientIp};
use crate::json::Json;
use crate::render::{accepted, created, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
}

pub(crate) fn tokens(session: NewSession) -> Tokens {
    Tokens {
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        token_type: "bearer".to_owned(),
        expires_in: session.expires_in,
    }
}

/// Create an account and sign in; on a server that confirms addresses first
/// (`auth.require_email_verification`), the e-mail is required, a confirmation link is mailed
/// and the answer is 202 without tokens.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = Envelope<SessionResponse>),
        (status = 202, description = "Account created; follow the mailed link, then sign in", body = Envelope<RegistrationPending>),
        (status = 409, description = "Username or e-mail taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid input", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn register(
    State(state): State<RestState>,
    client: Client,
    Json(body): Json<RegisterRequest>,
) -> Result<Response, ApiError> {
    let client = client.named(body.device_name);
    let input = RegisterInput {
        username: body.username,
        display_name: body.display_name,
        password: body.password,
        email: body.email,
    };
    Ok(match state.app.accounts.register(input, &client).await? {
        Registered::SignedIn(user, session) => created(SessionResponse {
            user: UserDto::from(&user),
            tokens: tokens(session),
        }),
        Registered::VerificationSent(user) => accepted(RegistrationPending {
            user: UserDto::from(&user),
            email_verification_required: true,
        }),
    })
}

/// Sign in with username and password.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = Envelope<SessionResponse>),
        (status = 401, description = "Wrong username or password", body = ErrorEnvelope),
        (status = 403, description = "`account_disabled`, or `email_not_verified` (follow the mailed link first)", body = ErrorEnvelope),
        (status = 422, description = "An invalid `device_name`", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn login(
    State(state): State<RestState>,
    client: Client,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let client = client.named(body.device_name);
    let (user, session) = state
        .app
        .auth
        .login(&body.username, &body.password, &client)
        .await?;
    Ok(ok(SessionResponse {
        user: UserDto::from(&user),
        tokens: tokens(session),
    }))
}

/// Trade a refresh token for a new pair. The old token stops working (a retry within 10 s
/// still succeeds); reusing it later revokes the session.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "Rotated", body = Envelope<TokensResponse>),
        (status = 401, description = "Invalid, expired, revoked or reused token", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn refresh(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<RefreshRequest>,
) -> Result<Response, ApiError> {
    let session = state.app.auth.refresh(&body.refresh_token, ip).await?;
    Ok(ok(TokensResponse {
        tokens: tokens(session),
    }))
}

/// End the session the refresh token belongs to.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses(
        (status = 200, description = "Signed out", body = Envelope<Ok>),
        (status = 401, description = "Unknown refresh token", body = ErrorEnvelope),
    ))]
async fn logout(
    State(state): State<RestState>,
    Json(body): Json<LogoutRequest>,
) -> Result<Response, ApiError> {
    state.app.auth.logout(&body.refresh_token).await?;
    Ok(ok(Ok::default()))
}
