//! Authentication on the wire (seed 000: register / login / refresh / logout).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::UserDto;

/// `POST /v1/auth/register`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–32 characters of `a-z 0-9 _ . -` (upper case is folded).
    pub username: String,
    /// 1–64 characters; the username when absent.
    #[serde(default)]
    pub display_name: Option<String>,
    /// 8–128 characters.
    pub password: String,
    /// An e-mail address (optional unless the server requires verification).
    #[serde(default)]
    pub email: Option<String>,
    /// What to call this device in the list of sessions (1–64 characters); read from the
    /// `User-Agent` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub device_name: Option<String>,
}

/// `POST /v1/auth/login`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The username (any case).
    pub username: String,
    /// The password.
    pub password: String,
    /// What to call this device in the list of sessions (1–64 characters); read from the
    /// `User-Agent` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub device_name: Option<String>,
}

/// `POST /v1/auth/refresh`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last `tokens`.
    pub refresh_token: String,
}

/// `POST /v1/auth/logout`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token of the session to end.
    pub refresh_token: String,
}

/// A token pair.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Tokens {
    /// A short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// An opaque token that buys the next pair, once.
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// The answer of register and login: `{user, tokens}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    /// The signed-in user.
    pub user: UserDto,
    /// Their new token pair.
    pub tokens: Tokens,
}

/// The answer of refresh: `{tokens}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TokensResponse {
    /// The rotated token pair.
    pub tokens: Tokens,
}

/// `POST /v1/auth/password-reset`: ask for a reset link by mail.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's username or e-mail address (any case).
    #[schema(min_length = 1, max_length = 254)]
    pub login: String,
}

/// `POST /v1/auth/password-reset/confirm`: set a new password with the mailed token.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the mailed link.
    pub token: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// `POST /v1/users/me/password`: change the password when signed in.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password now.
    pub current_password: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// `POST /v1/auth/verify-email`: the token of a mailed confirmation link.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The `token` of the link.
    pub token: String,
}

/// `POST /v1/auth/verify-email/resend`: ask for a new confirmation link.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendVerificationRequest {
    /// The account's username or e-mail address (any case).
    #[schema(min_length = 1, max_length = 254)]
    pub login: String,
}

/// `POST /v1/users/me/email`: move the account to a new address (once a link mailed there is
/// followed).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The new address.
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    /// The account's password (required unless the account has none: one made through an
    /// identity provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 128)]
    pub password: Option<String>,
}

/// The answer of register on a server that confirms addresses first: the account exists, a
/// link is mailed, and login works once it is followed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistrationPending {
    /// The new account.
    pub user: UserDto,
    /// Always `true`: follow the mailed link before signing in.
    pub email_verification_required: bool,
}

/// One of the caller's live sessions (`GET /v1/auth/sessions`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionDto {
    /// Its id (what `DELETE /v1/auth/sessions/{id}` takes).
    pub id: uuid::Uuid,
    /// What its device is called: the name the client gave, else one read from its
    /// `User-Agent` ("Firefox on Linux").
    pub device_name: String,
    /// When it signed in.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it last got tokens (a sign-in or a refresh, about every 15 minutes while in use).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_used_at: OffsetDateTime,
    /// The address it last got tokens from.
    pub ip: String,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// `GET /v1/auth/sessions`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    /// The live sessions, the most recently used first.
    pub sessions: Vec<SessionDto>,
}

/// `POST /v1/auth/sessions/revoke-others`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionsEnded {
    /// How many sessions ended.
    pub ended: usize,
}
