//! What a provider is configured with, checked once when the server starts.

use std::fmt;

use hearth_app::identity_providers::ProviderInfo;

/// One provider's settings.
#[derive(Clone)]
pub struct ProviderSettings {
    /// Its id and button name.
    pub info: ProviderInfo,
    /// How to talk to it.
    pub protocol: Protocol,
    /// The client id registered with the provider.
    pub client_id: String,
    /// The client secret (`None`: a public client, PKCE only).
    pub client_secret: Option<String>,
    /// Scopes to ask for (`openid` is added for OpenID Connect).
    pub scopes: Vec<String>,
    /// Where the provider sends the browser back: this server's callback for the provider.
    pub redirect_url: String,
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("info", &self.info)
            .field("protocol", &self.protocol)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("scopes", &self.scopes)
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

/// The protocol a provider speaks.
#[derive(Clone, Debug)]
pub enum Protocol {
    /// OpenID Connect: everything else is discovered from the issuer.
    OpenIdConnect {
        /// The issuer URL (`https://accounts.google.com`).
        issuer: String,
    },
    /// Plain OAuth 2.0 with a userinfo endpoint that answers JSON.
    OAuth2 {
        /// The authorization endpoint.
        authorization_url: String,
        /// The token endpoint.
        token_url: String,
        /// The endpoint that names the person, called with the access token.
        userinfo_url: String,
        /// Which fields of its answer mean what.
        claims: ClaimNames,
    },
}

/// The names of the userinfo fields of a plain OAuth 2.0 provider.
#[derive(Clone, Debug)]
pub struct ClaimNames {
    /// The stable id (`sub`; GitHub says `id`). A number is read as its decimal text.
    pub subject: String,
    /// The e-mail address.
    pub email: String,
    /// Whether the address is verified (absent: not verified).
    pub email_verified: String,
    /// The name.
    pub name: String,
    /// The preferred login name.
    pub username: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            subject: "sub".to_owned(),
            email: "email".to_owned(),
            email_verified: "email_verified".to_owned(),
            name: "name".to_owned(),
            username: "preferred_username".to_owned(),
        }
    }
}

/// A provider's settings cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A URL does not parse.
    #[error("{what} is not a URL: {value}")]
    BadUrl {
        /// Which setting.
        what: &'static str,
        /// Its value.
        value: String,
    },
    /// The HTTP client cannot be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}
