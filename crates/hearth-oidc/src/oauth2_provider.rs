//! A plain OAuth 2.0 provider (no ID token): the authorization-code flow with PKCE against
//! configured endpoints, then the person named by the userinfo endpoint, called with the
//! access token just obtained (so the answer is the provider's, over its TLS).

use async_trait::async_trait;
use hearth_app::identity_providers::{
    AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderError, ProviderInfo,
};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde_json::Value;

use crate::http::send;
use crate::oidc_provider::token_error;
use crate::{ClaimNames, Protocol, ProviderSettings, SettingsError};

/// Largest userinfo answer read.
const MAX_USERINFO_BYTES: usize = 64 * 1024;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// A provider given by its endpoints.
#[derive(Debug)]
pub struct OAuth2Provider {
    settings: ProviderSettings,
    client: Client,
    userinfo_url: reqwest::Url,
    claims: ClaimNames,
    http: reqwest::Client,
}

fn url<T>(
    what: &'static str,
    value: &str,
    make: impl FnOnce(String) -> Result<T, url::ParseError>,
) -> Result<T, SettingsError> {
    make(value.to_owned()).map_err(|_| SettingsError::BadUrl {
        what,
        value: value.to_owned(),
    })
}

impl OAuth2Provider {
    /// A provider of these settings (their protocol must be [`Protocol::OAuth2`]).
    pub fn new(settings: ProviderSettings, http: reqwest::Client) -> Result<Self, SettingsError> {
        let Protocol::OAuth2 {
            authorization_url,
            token_url,
            userinfo_url,
            claims,
        } = settings.protocol.clone()
        else {
            return Err(SettingsError::BadUrl {
                what: "authorization URL",
                value: String::new(),
            });
        };
        let mut client = BasicClient::new(ClientId::new(settings.client_id.clone()))
            .set_auth_uri(url("authorization URL", &authorization_url, AuthUrl::new)?)
            .set_token_uri(url("token URL", &token_url, TokenUrl::new)?)
            .set_redirect_uri(url(
                "redirect URL",
                &settings.redirect_url,
                RedirectUrl::new,
            )?);
        if let Some(secret) = &settings.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        let userinfo_url = url("userinfo URL", &userinfo_url, |u| reqwest::Url::parse(&u))?;
        Ok(Self {
            settings,
            client,
            userinfo_url,
            claims,
            http,
        })
    }

    async fn userinfo(&self, access_token: &str) -> Result<Value, ProviderError> {
        let response = self
            .http
            .get(self.userinfo_url.clone())
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|err| ProviderError::Unavailable(err.without_url().to_string()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(ProviderError::Unavailable(format!(
                "userinfo answered {status}"
            )));
        }
        if !status.is_success() {
            return Err(ProviderError::Rejected(format!(
                "userinfo answered {status}"
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|err| ProviderError::Unavailable(err.without_url().to_string()))?;
        if body.len() > MAX_USERINFO_BYTES {
            return Err(ProviderError::Rejected(
                "userinfo answer too large".to_owned(),
            ));
        }
        serde_json::from_slice(&body)
            .map_err(|err| ProviderError::Rejected(format!("userinfo is not JSON: {err}")))
    }
}

#[async_trait]
impl IdentityProvider for OAuth2Provider {
    fn info(&self) -> &ProviderInfo {
        &self.settings.info
    }

    async fn authorization_url(
        &self,
        request: AuthorizationRequest<'_>,
    ) -> Result<String, ProviderError> {
        let verifier = PkceCodeVerifier::new(request.pkce_verifier.to_owned());
        let state = request.state.to_owned();
        let (url, _) = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(self.settings.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier))
            .url();
        Ok(url.into())
    }

    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        _nonce: &str,
    ) -> Result<ExternalProfile, ProviderError> {
        let http = self.http.clone();
        let call = move |request| send(http.clone(), request);
        let tokens = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&call)
            .await
            .map_err(token_error)?;
        let info = self.userinfo(tokens.access_token().secret()).await?;
        profile_of(&info, &self.claims)
    }
}

/// The person a userinfo answer names, by the configured field names.
fn profile_of(info: &Value, names: &ClaimNames) -> Result<ExternalProfile, ProviderError> {
    let text = |name: &str| match info.get(name) {
        Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    let subject = text(&names.subject)
        .ok_or_else(|| ProviderError::Rejected(format!("userinfo has no `{}`", names.subject)))?;
    Ok(ExternalProfile {
        subject,
        email: text(&names.email),
        email_verified: info.get(&names.email_verified) == Some(&Value::Bool(true)),
        name: text(&names.name),
        preferred_username: text(&names.username),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn a_userinfo_answer_is_read_by_the_configured_names() {
        let names = ClaimNames {
            subject: "id".to_owned(),
            username: "login".to_owned(),
            ..ClaimNames::default()
        };
        let info =
            serde_json::json!({"id": 42, "login": "octo", "email": "o@x.test", "name": "Octo"});
        let profile = profile_of(&info, &names).unwrap();
        assert_eq!(profile.subject, "42");
        assert_eq!(profile.preferred_username.as_deref(), Some("octo"));
        assert!(!profile.email_verified, "absent means not verified");
    }

    #[test]
    fn a_userinfo_answer_without_a_subject_is_refused() {
        let answer = profile_of(
            &serde_json::json!({"email": "a@b.c"}),
            &ClaimNames::default(),
        );
        assert!(matches!(answer, Err(ProviderError::Rejected(_))));
    }

    #[test]
    fn only_a_true_email_verified_counts() {
        let info = serde_json::json!({"sub": "s", "email_verified": "true"});
        assert!(
            !profile_of(&info, &ClaimNames::default())
                .unwrap()
                .email_verified
        );
    }
}
