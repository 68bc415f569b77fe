//! Profile pictures: set mine from one of my uploads, remove it, and fetch anyone's by the
//! address in their `avatar_url`.
//!
//! The picture's address needs no token (a web page's `<img>` sends none): its random name is
//! the credential, and a changed picture has a new name, so the bytes are cached for ever.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::{MediaId, UserId};
use hearth_proto::{Envelope, ErrorCode, ErrorEnvelope, SetAvatarRequest, UserDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Auth;
use crate::json::Json;
use crate::render::ok;
use crate::routes::media_download::picture_response;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(set_avatar, remove_avatar))
        .routes(routes!(avatar))
}

/// Make your profile picture from one of your confirmed image uploads (`POST /v1/media`
/// first). It is cropped to a centred square, scaled to 256 × 256 and stored without the
/// photo's metadata; your upload itself is left as it is. The previous picture is deleted.
#[utoipa::path(put, path = "/v1/users/me/avatar", tag = "users", request_body = SetAvatarRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account now, with its new `avatar_url`", body = Envelope<UserDto>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 404, description = "No such upload of yours", body = ErrorEnvelope),
        (status = 422, description = "The upload is pending, not an image, too large or unreadable", body = ErrorEnvelope),
    ))]
async fn set_avatar(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<SetAvatarRequest>,
) -> Result<Response, ApiError> {
    let user = state
        .app
        .avatars
        .set(caller, MediaId::from_uuid(body.media_id))
        .await?;
    Ok(ok(UserDto::from(&user)))
}

/// Remove your profile picture; other people see your initials again.
#[utoipa::path(delete, path = "/v1/users/me/avatar", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account now, without `avatar_url`", body = Envelope<UserDto>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn remove_avatar(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let user = state.app.avatars.remove(caller).await?;
    Ok(ok(UserDto::from(&user)))
}

/// A profile picture, at the address a user's `avatar_url` gives. No token needed; any other
/// name than the user's current picture's is 404.
#[utoipa::path(get, path = "/v1/users/{user_id}/avatar/{name}", operation_id = "get_avatar", tag = "users",
    params(
        ("user_id" = String, Path, description = "User id"),
        ("name" = String, Path, description = "The picture's name, from `avatar_url`"),
    ),
    responses(
        (status = 200, description = "The picture (JPEG or PNG, 256 × 256)", content_type = "image/jpeg", body = Vec<u8>),
        (status = 404, description = "No such picture", body = ErrorEnvelope),
    ))]
async fn avatar(
    State(state): State<RestState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "avatar not found");
    let Path((user, name)) = path.map_err(|_| not_found())?;
    let user: UserId = user.parse().map_err(|_| not_found())?;
    let picture = state.app.avatars.picture(user, &name).await?;
    // The name changes with the picture: these bytes never change under it.
    Ok(picture_response(
        picture,
        "public, max-age=31536000, immutable",
    ))
}
