//! Users on the wire.

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
