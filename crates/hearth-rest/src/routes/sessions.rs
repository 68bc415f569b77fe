//! `/v1/auth/sessions`: the caller's signed-in devices, and signing one or all the others
//! out.

use axum::extract::State;
use axum::response::Response;
use hearth_app::SessionInfo;
use hearth_proto::{Envelope, ErrorEnvelope, Ok, SessionDto, SessionList, SessionsEnded};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, SessionPath};
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(end_one))
        .routes(routes!(end_others))
}

pub(crate) fn session_dto(session: SessionInfo) -> SessionDto {
    SessionDto {
        id: session.id.as_uuid(),
        device_name: session.device_name.as_str().to_owned(),
        created_at: session.created_at,
        last_used_at: session.last_used_at,
        ip: session.last_ip,
        current: session.current,
    }
}

/// My signed-in sessions, the most recently used first; `current` marks this request's.
#[utoipa::path(get, path = "/v1/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The live sessions", body = Envelope<SessionList>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn list(State(state): State<RestState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let sessions = state.app.auth.sessions(caller).await?;
    Ok(ok(SessionList {
        sessions: sessions.into_iter().map(session_dto).collect(),
    }))
}

/// Sign one of my sessions out: its refresh token stops working and its access token is
/// refused at once (this request's own session too: that is signing out).
#[utoipa::path(delete, path = "/v1/auth/sessions/{id}", tag = "auth",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The session")),
    responses(
        (status = 200, description = "Signed out", body = Envelope<Ok>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 404, description = "No such live session of mine", body = ErrorEnvelope),
    ))]
async fn end_one(
    State(state): State<RestState>,
    Auth(caller): Auth,
    SessionPath(session): SessionPath,
) -> Result<Response, ApiError> {
    state.app.auth.end_session(caller, session).await?;
    Ok(ok(Ok::default()))
}

/// Sign every session out but this one.
#[utoipa::path(post, path = "/v1/auth/sessions/revoke-others", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The others are signed out", body = Envelope<SessionsEnded>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn end_others(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let ended = state.app.auth.end_other_sessions(caller).await?;
    Ok(ok(SessionsEnded { ended }))
}
