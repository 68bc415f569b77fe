//! Hearth's adapter to external identity providers: OpenID Connect providers found by issuer
//! discovery ([`OidcProvider`]) and plain OAuth 2.0 providers given by their URLs
//! ([`OAuth2Provider`]), both over the authorization-code flow with PKCE. They implement
//! [`hearth_app::identity_providers::IdentityProvider`].
//!
//! This crate speaks the protocols and checks what they require (the ID token's signature,
//! issuer, audience, expiry and nonce; the userinfo subject). It never decides who signs in as
//! whom — that is `hearth_app::SignInService` — and never logs a code, token or verifier.

mod http;
mod oauth2_provider;
mod oidc_provider;
mod settings;

pub use oauth2_provider::OAuth2Provider;
pub use oidc_provider::OidcProvider;
pub use settings::{ClaimNames, Protocol, ProviderSettings, SettingsError};

use std::sync::Arc;

use hearth_app::identity_providers::IdentityProvider;

/// The provider `settings` describe.
pub fn provider(settings: ProviderSettings) -> Result<Arc<dyn IdentityProvider>, SettingsError> {
    let client = http::client()?;
    Ok(match settings.protocol.clone() {
        Protocol::OpenIdConnect { issuer } => {
            Arc::new(OidcProvider::new(settings, issuer, client)?)
        }
        Protocol::OAuth2 { .. } => Arc::new(OAuth2Provider::new(settings, client)?),
    })
}
