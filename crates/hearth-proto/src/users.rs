//! Users on the wire.

use hearth_domain::{AvatarRef, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A user as everyone may see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserDto {
    /// The user's id.
    pub id: Uuid,
    /// The login name, lower-case.
    pub username: String,
    /// The shown name.
    pub display_name: String,
    /// When the account was created (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// What they say about themselves (absent: nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Their profile picture, a square JPEG or PNG: a path on this server that needs no token
    /// and never shows other bytes (a new picture has a new path), so it may be cached for
    /// ever. Absent: no picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// Where the profile picture `avatar` of `user` is served (see [`UserDto::avatar_url`]).
pub fn avatar_url(user: UserId, avatar: &AvatarRef) -> String {
    format!("/v1/users/{user}/avatar/{avatar}")
}

/// `PUT /v1/users/me/avatar`: the upload to make the profile picture from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAvatarRequest {
    /// One of your own confirmed uploads, an image (JPEG, PNG, GIF or WebP) of at most 20 MiB;
    /// it is cropped to a centred square and scaled to 256 × 256 pixels, without its metadata.
    pub media_id: Uuid,
}

/// `PATCH /v1/users/me`: the profile fields to change; absent fields keep their value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    /// 1–64 characters, no control characters; trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Up to 500 characters about yourself, line breaks allowed; an empty text clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

/// A list of users (`GET /v1/users/search`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    /// The users found.
    pub users: Vec<UserDto>,
}
