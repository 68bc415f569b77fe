//! An OpenID Connect provider: discovery from the issuer (cached, refreshed hourly and when a
//! token is signed by a key it does not know), the authorization-code flow with PKCE and a
//! nonce, and the ID token checked before anything of it is believed.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use hearth_app::identity_providers::{
    AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderError, ProviderInfo,
};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse, UserInfoClaims,
};
use tokio::sync::Mutex;

use crate::http::send;
use crate::{ProviderSettings, SettingsError};

/// A client of discovered metadata with our redirect URL: authorization and token endpoints
/// set; userinfo (and the rest) as the provider says.
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// How long discovered metadata (endpoints and signing keys) is trusted.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// A provider found by OpenID Connect discovery.
#[derive(Debug)]
pub struct OidcProvider {
    settings: ProviderSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl OidcProvider {
    /// A provider of this issuer; nothing is fetched until the first sign-in.
    pub fn new(
        settings: ProviderSettings,
        issuer: String,
        http: reqwest::Client,
    ) -> Result<Self, SettingsError> {
        let issuer = IssuerUrl::new(issuer.clone()).map_err(|_| SettingsError::BadUrl {
            what: "issuer",
            value: issuer,
        })?;
        let redirect =
            RedirectUrl::new(settings.redirect_url.clone()).map_err(|_| SettingsError::BadUrl {
                what: "redirect URL",
                value: settings.redirect_url.clone(),
            })?;
        Ok(Self {
            settings,
            issuer,
            redirect,
            http,
            metadata: Mutex::new(None),
        })
    }

    /// The provider's metadata, discovered again when older than [`DISCOVERY_TTL`] or when
    /// `fresh` is asked for. One discovery at a time.
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, ProviderError> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref()
            && !fresh
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(metadata.clone());
        }
        let http = self.http.clone();
        let client = move |request| send(http.clone(), request);
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &client)
            .await
            .map_err(|err| ProviderError::Unavailable(format!("discovery failed: {err}")))?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Client {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The ID token's claims, checked against `metadata`'s keys.
    fn verified_claims(
        &self,
        metadata: CoreProviderMetadata,
        token: &openidconnect::core::CoreIdToken,
        nonce: &Nonce,
    ) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
        let client = self.client(metadata);
        token.claims(&client.id_token_verifier(), nonce).cloned()
    }
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    fn info(&self) -> &ProviderInfo {
        &self.settings.info
    }

    async fn authorization_url(
        &self,
        request: AuthorizationRequest<'_>,
    ) -> Result<String, ProviderError> {
        let client = self.client(self.metadata(false).await?);
        let verifier = PkceCodeVerifier::new(request.pkce_verifier.to_owned());
        let (state, nonce) = (request.state.to_owned(), request.nonce.to_owned());
        let mut authorize = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
        for scope in &self.settings.scopes {
            if scope != "openid" {
                authorize = authorize.add_scope(Scope::new(scope.clone()));
            }
        }
        let (url, _, _) = authorize.url();
        Ok(url.into())
    }

    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<ExternalProfile, ProviderError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(metadata.clone());
        let http = self.http.clone();
        let call = move |request| send(http.clone(), request);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|err| ProviderError::Unavailable(format!("no token endpoint: {err}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&call)
            .await
            .map_err(token_error)?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| ProviderError::Rejected("the answer has no ID token".to_owned()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let claims = match self.verified_claims(metadata, id_token, &nonce) {
            Ok(claims) => claims,
            // Signed by a key we have not seen: the provider may have rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.metadata(true).await?;
                self.verified_claims(fresh, id_token, &nonce)
                    .map_err(|err| ProviderError::Rejected(format!("ID token: {err}")))?
            }
            Err(err) => return Err(ProviderError::Rejected(format!("ID token: {err}"))),
        };
        let mut profile = profile_of(&claims);
        if profile.email.is_none() {
            self.complete_from_userinfo(&client, tokens.access_token(), &claims, &mut profile)
                .await;
        }
        Ok(profile)
    }
}

impl OidcProvider {
    /// Fills the e-mail address and names from the userinfo endpoint (for providers that keep
    /// them out of the ID token). Best effort: the ID token already proved who it is.
    async fn complete_from_userinfo(
        &self,
        client: &Client,
        access_token: &AccessToken,
        claims: &CoreIdTokenClaims,
        profile: &mut ExternalProfile,
    ) {
        let Ok(request) = client.user_info(access_token.clone(), Some(claims.subject().clone()))
        else {
            return;
        };
        let http = self.http.clone();
        let call = move |request| send(http.clone(), request);
        let answer: Result<
            UserInfoClaims<openidconnect::EmptyAdditionalClaims, CoreGenderClaim>,
            _,
        > = request.request_async(&call).await;
        match answer {
            Ok(info) => {
                profile.email = info.email().map(|email| email.as_str().to_owned());
                profile.email_verified = info.email_verified().unwrap_or(false);
                if profile.name.is_none() {
                    profile.name = info
                        .name()
                        .and_then(|name| name.get(None))
                        .map(|name| name.as_str().to_owned());
                }
                if profile.preferred_username.is_none() {
                    profile.preferred_username = info
                        .preferred_username()
                        .map(|name| name.as_str().to_owned());
                }
            }
            Err(err) => tracing::warn!(
                provider = %self.settings.info.id,
                error = %err,
                "userinfo failed; signing in without the e-mail address"
            ),
        }
    }
}

fn profile_of(claims: &CoreIdTokenClaims) -> ExternalProfile {
    ExternalProfile {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|email| email.as_str().to_owned()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.as_str().to_owned()),
        preferred_username: claims
            .preferred_username()
            .map(|name| name.as_str().to_owned()),
    }
}

/// A failed code exchange: a refusal (an `error` answer: a replayed or expired code) or the
/// provider being unreachable.
pub(crate) fn token_error<RE: std::error::Error + 'static, T: oauth2::ErrorResponse + 'static>(
    err: RequestTokenError<RE, T>,
) -> ProviderError {
    match err {
        RequestTokenError::ServerResponse(answer) => {
            ProviderError::Rejected(format!("token endpoint: {answer}"))
        }
        RequestTokenError::Request(err) => ProviderError::Unavailable(err.to_string()),
        RequestTokenError::Parse(err, _) => {
            ProviderError::Unavailable(format!("unreadable token answer: {err}"))
        }
        RequestTokenError::Other(err) => ProviderError::Unavailable(err),
    }
}
