//! The `[identity_providers.<id>]` sections of the configuration: the OpenID Connect and
//! OAuth 2.0 providers people may sign in with, checked at start and turned into adapters.
//!
//! ```toml
//! public_url = "https://chat.example.org"
//!
//! [identity_providers.google]
//! preset = "google"
//! client_id = "…apps.googleusercontent.com"
//! client_secret = "…"            # or HEARTH_IDENTITY_PROVIDERS__GOOGLE__CLIENT_SECRET
//! ```
//!
//! A secret never reaches a log: the section's `Debug` redacts it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use hearth_app::identity_providers::{IdentityProvider, ProviderInfo};
use hearth_oidc::{ClaimNames, Protocol, ProviderSettings};
use serde::Deserialize;

use crate::StartupError;

/// A provider whose settings are filled in by name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Google's OpenID Connect (seed 002's "Sign in with Google").
    Google,
}

/// One `[identity_providers.<id>]` section.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityProviderConfig {
    /// Fill in the issuer, name and scopes of a well-known provider.
    pub preset: Option<Preset>,
    /// The name on the sign-in button (default: the preset's, else the id).
    pub display_name: Option<String>,
    /// OpenID Connect: the issuer, whose discovery document names everything else.
    pub issuer: Option<String>,
    /// Plain OAuth 2.0: the authorization endpoint.
    pub authorization_url: Option<String>,
    /// Plain OAuth 2.0: the token endpoint.
    pub token_url: Option<String>,
    /// Plain OAuth 2.0: the endpoint that answers who the access token belongs to (JSON).
    pub userinfo_url: Option<String>,
    /// The client id registered with the provider.
    pub client_id: String,
    /// The client secret (absent: a public client, PKCE only).
    pub client_secret: Option<String>,
    /// Scopes (default `openid email profile`; for plain OAuth 2.0 what the provider needs).
    pub scopes: Option<Vec<String>>,
    /// Plain OAuth 2.0: the userinfo field names (default the OpenID Connect claim names).
    pub claims: ClaimNamesConfig,
}

impl fmt::Debug for IdentityProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityProviderConfig")
            .field("preset", &self.preset)
            .field("display_name", &self.display_name)
            .field("issuer", &self.issuer)
            .field("authorization_url", &self.authorization_url)
            .field("token_url", &self.token_url)
            .field("userinfo_url", &self.userinfo_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The userinfo field names of a plain OAuth 2.0 provider.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimNamesConfig {
    /// The stable id (default `sub`; GitHub: `id`).
    pub subject: Option<String>,
    /// The e-mail address (default `email`).
    pub email: Option<String>,
    /// Whether it is verified (default `email_verified`).
    pub email_verified: Option<String>,
    /// The name (default `name`).
    pub name: Option<String>,
    /// The login name (default `preferred_username`; GitHub: `login`).
    pub username: Option<String>,
}

impl ClaimNamesConfig {
    fn names(&self) -> ClaimNames {
        let pick = |set: &Option<String>, default: String| set.clone().unwrap_or(default);
        let default = ClaimNames::default();
        ClaimNames {
            subject: pick(&self.subject, default.subject),
            email: pick(&self.email, default.email),
            email_verified: pick(&self.email_verified, default.email_verified),
            name: pick(&self.name, default.name),
            username: pick(&self.username, default.username),
        }
    }
}

/// The path of a provider's callback on this server.
pub fn callback_path(id: &str) -> String {
    format!("/v1/auth/providers/{id}/callback")
}

/// The adapters of every configured provider, their settings checked: an id of `[a-z0-9_-]`,
/// a `public_url` to come back to, one protocol, URLs that parse and use HTTPS (plain HTTP
/// only on a loopback host, for tests and laptops).
pub fn build(
    public_url: Option<&str>,
    sections: &BTreeMap<String, IdentityProviderConfig>,
) -> Result<Vec<Arc<dyn IdentityProvider>>, StartupError> {
    if sections.is_empty() {
        return Ok(Vec::new());
    }
    let bad = |msg: String| StartupError::Config(msg);
    let public_url = public_url
        .map(|url| url.trim_end_matches('/'))
        .ok_or_else(|| {
            bad(
                "identity_providers need public_url: the address people reach Hearth at, \
             e.g. https://chat.example.org (the providers send them back there)"
                    .to_owned(),
            )
        })?;
    check_url("public_url", public_url)?;
    let mut providers = Vec::with_capacity(sections.len());
    for (id, section) in sections {
        let key = format!("identity_providers.{id}");
        let plausible_id = (1..=32).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c));
        if !plausible_id {
            return Err(bad(format!(
                "{key}: the id must be 1–32 characters of a-z, 0-9, _ and -"
            )));
        }
        if section.client_id.trim().is_empty() {
            return Err(bad(format!("{key}.client_id must be set")));
        }
        let preset = section.preset.map(preset);
        let issuer = section
            .issuer
            .clone()
            .or_else(|| preset.as_ref().map(|p| p.issuer.to_owned()));
        let oauth2 = [
            &section.authorization_url,
            &section.token_url,
            &section.userinfo_url,
        ];
        let protocol = match (issuer, oauth2) {
            (Some(issuer), [None, None, None]) => {
                check_url(&format!("{key}.issuer"), &issuer)?;
                Protocol::OpenIdConnect { issuer }
            }
            (None, [Some(authorization_url), Some(token_url), Some(userinfo_url)]) => {
                for (name, url) in [
                    ("authorization_url", authorization_url),
                    ("token_url", token_url),
                    ("userinfo_url", userinfo_url),
                ] {
                    check_url(&format!("{key}.{name}"), url)?;
                }
                Protocol::OAuth2 {
                    authorization_url: authorization_url.clone(),
                    token_url: token_url.clone(),
                    userinfo_url: userinfo_url.clone(),
                    claims: section.claims.names(),
                }
            }
            _ => {
                return Err(bad(format!(
                    "{key}: give either `issuer` (OpenID Connect) or all of `authorization_url`, \
                     `token_url` and `userinfo_url` (OAuth 2.0), not both"
                )));
            }
        };
        let display_name = section
            .display_name
            .clone()
            .or_else(|| preset.as_ref().map(|p| p.display_name.to_owned()))
            .unwrap_or_else(|| id.clone());
        if display_name.trim().is_empty() || display_name.chars().count() > 64 {
            return Err(bad(format!("{key}.display_name must be 1–64 characters")));
        }
        let settings = ProviderSettings {
            info: ProviderInfo {
                id: id.clone(),
                display_name,
            },
            protocol,
            client_id: section.client_id.clone(),
            client_secret: section.client_secret.clone(),
            scopes: section
                .scopes
                .clone()
                .unwrap_or_else(|| ["openid", "email", "profile"].map(str::to_owned).to_vec()),
            redirect_url: format!("{public_url}{}", callback_path(id)),
        };
        providers.push(hearth_oidc::provider(settings).map_err(|e| bad(format!("{key}: {e}")))?);
    }
    Ok(providers)
}

struct PresetValues {
    issuer: &'static str,
    display_name: &'static str,
}

fn preset(preset: Preset) -> PresetValues {
    match preset {
        Preset::Google => PresetValues {
            issuer: "https://accounts.google.com",
            display_name: "Google",
        },
    }
}

/// An absolute http(s) URL; plain HTTP only to a loopback host.
fn check_url(key: &str, value: &str) -> Result<(), StartupError> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            value
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    let https = value.starts_with("https://") && value.len() > "https://".len();
    if (https || loopback) && !value.contains(char::is_whitespace) {
        Ok(())
    } else {
        Err(StartupError::Config(format!(
            "{key} must be an https:// URL (http:// only to 127.0.0.1 or localhost), not {value:?}"
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn section(issuer: Option<&str>) -> IdentityProviderConfig {
        IdentityProviderConfig {
            issuer: issuer.map(str::to_owned),
            client_id: "hearth".to_owned(),
            ..IdentityProviderConfig::default()
        }
    }

    fn one(id: &str, section: IdentityProviderConfig) -> BTreeMap<String, IdentityProviderConfig> {
        BTreeMap::from([(id.to_owned(), section)])
    }

    fn error(result: Result<Vec<Arc<dyn IdentityProvider>>, StartupError>) -> String {
        match result {
            Err(err) => err.to_string(),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_google_preset_needs_only_the_client() {
        let google = IdentityProviderConfig {
            preset: Some(Preset::Google),
            ..section(None)
        };
        let built = build(Some("https://chat.example.org/"), &one("google", google)).unwrap();
        assert_eq!(built[0].info().display_name, "Google");
    }

    #[test]
    fn providers_need_a_public_url() {
        let message = error(build(
            None,
            &one("test", section(Some("https://id.example"))),
        ));
        assert!(message.contains("public_url"), "{message}");
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let message = error(build(
            Some("https://chat.example.org"),
            &one("test", section(Some("http://id.example"))),
        ));
        assert!(
            message.contains("identity_providers.test.issuer"),
            "{message}"
        );
        build(
            Some("http://127.0.0.1:8080"),
            &one("test", section(Some("http://127.0.0.1:9400"))),
        )
        .unwrap();
    }

    #[test]
    fn a_provider_has_exactly_one_protocol() {
        let both = IdentityProviderConfig {
            token_url: Some("https://id.example/token".to_owned()),
            ..section(Some("https://id.example"))
        };
        let message = error(build(Some("https://chat.example.org"), &one("x", both)));
        assert!(message.contains("either `issuer`"), "{message}");
        let message = error(build(
            Some("https://chat.example.org"),
            &one("x", section(None)),
        ));
        assert!(message.contains("either `issuer`"), "{message}");
    }

    #[test]
    fn an_id_must_fit_in_a_url() {
        let message = error(build(
            Some("https://chat.example.org"),
            &one("Not OK", section(Some("https://id.example"))),
        ));
        assert!(message.contains("the id must be"), "{message}");
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let secret = IdentityProviderConfig {
            client_secret: Some("hunter2".to_owned()),
            ..section(None)
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
