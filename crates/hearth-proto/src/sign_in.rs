//! `/v1/auth/providers`: sign-in through external identity providers, and the links in
//! settings (`/v1/users/me/identities`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A configured identity provider, for the sign-in screen's buttons.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProviderDto {
    /// Its id, in the URLs below (e.g. `google`).
    pub id: String,
    /// Its name to show ("Google").
    pub display_name: String,
}

/// `GET /v1/auth/providers`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProviderList {
    /// Every configured provider, by id (empty when none is).
    pub providers: Vec<ProviderDto>,
}

/// `POST /v1/auth/providers/{provider}/authorize` (sign in) and
/// `POST /v1/users/me/identities/{provider}` (link to the caller's account).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeRequest {
    /// A path of the web client to return to afterwards (`/c/…`); anything else is ignored.
    #[serde(default)]
    #[schema(max_length = 512)]
    pub return_to: Option<String>,
}

/// The answer of authorize: send the browser to `authorization_url` (the response also sets
/// the cookie that binds the flow to this browser).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthorizeResponse {
    /// The provider's address that starts the sign-in.
    pub authorization_url: String,
}

/// `POST /v1/auth/providers/handoff`: the one-time code the callback sent the web client back
/// with, traded for a session.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffRequest {
    /// The code from the `#sign_in=` fragment.
    #[schema(max_length = 128)]
    pub code: String,
    /// What to call this device in the list of sessions (1–64 characters); read from the
    /// `User-Agent` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub device_name: Option<String>,
}

/// One provider linked to the caller's account.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityDto {
    /// The provider's id.
    pub provider: String,
    /// The provider's name to show.
    pub display_name: String,
    /// The e-mail address the provider named when it was linked.
    pub email: Option<String>,
    /// When it was linked.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub linked_at: OffsetDateTime,
}

/// `GET /v1/users/me/identities`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityList {
    /// The linked providers, by id.
    pub identities: Vec<IdentityDto>,
}
