//! `/v1/users`: me, my profile and search (seed 000).

use axum::extract::State;
use axum::response::Response;
use hearth_app::ProfileInput;
use hearth_proto::{Envelope, ErrorEnvelope, UpdateProfileRequest, UserDto, UserList};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Query, int_param};
use crate::json::Json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(search))
}

/// The signed-in user.
#[utoipa::path(get, path = "/v1/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Envelope<UserDto>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn me(State(state): State<RestState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let user = state.app.users.me(caller).await?;
    Ok(ok(UserDto::from(&user)))
}

/// Change your profile; absent fields keep their value. Other people see the new display name
/// the next time they read a conversation, its members or a search.
#[utoipa::path(patch, path = "/v1/users/me", tag = "users", request_body = UpdateProfileRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account now", body = Envelope<UserDto>),
        (status = 422, description = "A field breaks its rule; details name it", body = ErrorEnvelope),
    ))]
async fn update_me(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<UpdateProfileRequest>,
) -> Result<Response, ApiError> {
    let input = ProfileInput {
        display_name: body.display_name,
        about: body.about,
    };
    let user = state.app.users.update_profile(caller, input).await?;
    Ok(ok(UserDto::from(&user)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct SearchParams {
    /// 1–64 characters, matched as a prefix of username or display name.
    query: Option<String>,
    /// Instead of `query`: an e-mail address, matched exactly (any case). Finds the one other
    /// account with that address, for people who share theirs on purpose; rate limited.
    #[param(max_length = 254)]
    email: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// Find other users by the start of their username or display name, or (`email`) by their
/// exact e-mail address.
#[utoipa::path(get, path = "/v1/users/search", tag = "users", params(SearchParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Matching users", body = Envelope<UserList>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 422, description = "Invalid query, e-mail address or limit", body = ErrorEnvelope),
        (status = 429, description = "Too many look-ups by e-mail address", body = ErrorEnvelope),
    ))]
async fn search(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Query(params): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let limit = int_param("limit", params.limit.as_deref())?;
    if let Some(email) = params.email.as_deref() {
        let users = state.app.users.find_by_email(caller, email).await?;
        return Ok(ok(UserList {
            users: users.iter().map(UserDto::from).collect(),
        }));
    }
    let users = state
        .app
        .users
        .search(caller, params.query.as_deref().unwrap_or(""), limit)
        .await?;
    Ok(ok(UserList {
        users: users.iter().map(UserDto::from).collect(),
    }))
}
