//! The port to external identity providers (OpenID Connect or plain OAuth 2.0): build the
//! address that sends a browser to the provider, and trade the code it comes back with for
//! the person's verified identity.
//!
//! An adapter speaks the protocol (discovery, PKCE, the token exchange, ID-token signature,
//! issuer, audience and nonce checks, userinfo) and nothing else: whether the identity signs
//! in, links or creates an account is the sign-in use case's rule
//! ([`crate::SignInService`]). An adapter must never log a code, a token or a verifier.

use std::fmt;

/// How a provider is shown to people (the sign-in screen's buttons).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Its id in the configuration and in URLs (`[a-z0-9_-]`, e.g. `google`).
    pub id: String,
    /// Its name on a button ("Google").
    pub display_name: String,
}

/// What the address that starts a sign-in must carry.
#[derive(Clone, Copy, Debug)]
pub struct AuthorizationRequest<'a> {
    /// The `state` the callback must return (random, single use).
    pub state: &'a str,
    /// The nonce the ID token must carry (ignored by plain OAuth 2.0 providers).
    pub nonce: &'a str,
    /// The PKCE code verifier; the address carries its S256 challenge.
    pub pkce_verifier: &'a str,
}

/// Who the provider says signed in, after every check passed.
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalProfile {
    /// The provider's stable id of the person (`sub`).
    pub subject: String,
    /// Their e-mail address, if the provider shares it.
    pub email: Option<String>,
    /// Whether the provider says it verified that address.
    pub email_verified: bool,
    /// Their name, if shared.
    pub name: Option<String>,
    /// The login name they prefer, if shared.
    pub preferred_username: Option<String>,
}

impl fmt::Debug for ExternalProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data stays out of logs; the subject is an opaque id.
        f.debug_struct("ExternalProfile")
            .field("subject", &self.subject)
            .field("email_verified", &self.email_verified)
            .finish_non_exhaustive()
    }
}

/// Why a provider could not give an identity.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or answered with a server error; trying later may
    /// work.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the code (expired, replayed, not ours) or its answer failed a
    /// check (signature, issuer, audience, nonce, a missing claim).
    #[error("the identity provider's answer was refused: {0}")]
    Rejected(String),
}

/// One configured provider.
#[async_trait::async_trait]
pub trait IdentityProvider: Send + Sync + fmt::Debug {
    /// How it is shown.
    fn info(&self) -> &ProviderInfo;

    /// The provider's address that starts a sign-in (authorization-code flow with PKCE).
    async fn authorization_url(
        &self,
        request: AuthorizationRequest<'_>,
    ) -> Result<String, ProviderError>;

    /// Trades the code the callback received for the identity, checking everything the
    /// protocol requires.
    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<ExternalProfile, ProviderError>;
}
