//! Signing in (and linking accounts) through external identity providers: the rules of the
//! authorization-code flow around the protocol the adapters speak.
//!
//! A flow starts in a browser ([`SignInService::begin`]): it gets a random `state`, nonce and
//! PKCE verifier (stored server-side, the state only as a hash) and a random value for a
//! cookie that binds the flow to that browser. The callback ([`SignInService::complete`])
//! takes the flow once — a replayed, tampered, expired or foreign-browser callback finds
//! nothing — and only then asks the provider for the identity. A sign-in ends with a one-time
//! hand-off code the web client trades for a session ([`SignInService::redeem`]), so that no
//! token ever travels in a URL.
//!
//! Who the identity signs in as: the account it is linked to; else a new account. An e-mail
//! address joins an identity to an existing account only when both the provider and this
//! server have verified it: a provider's word alone would let anyone who registers an address
//! here first take over the account of its real owner (or the reverse). This module must never
//! log a state, code, nonce or verifier.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use hearth_domain::{DisplayName, User, UserId, Username};
use hearth_store::{
    ConflictKind, DynStore, ExternalIdentity, NewUser, SignInFlow, SignInHandoff, StoreError,
};
use time::Duration;

use crate::identity_providers::{
    AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderError, ProviderInfo,
};
use crate::tokens::{hash_refresh_token as hash_secret, random_token};
use crate::{AppError, AuthService, Caller, ClientInfo, NewSession, RateLimits, now};

/// How long a started sign-in waits for its callback.
pub const FLOW_TTL: Duration = Duration::minutes(10);
/// How long a finished sign-in's hand-off code waits for the client.
pub const HANDOFF_TTL: Duration = Duration::minutes(2);
/// Longest `return_to` path kept.
const MAX_RETURN_TO: usize = 512;
/// Tries at a free username for a new account before giving up.
const USERNAME_TRIES: usize = 6;

/// What a sign-in is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInIntent {
    /// Sign in (or create an account).
    SignIn,
    /// Link the identity to the signed-in caller's account.
    Link(Caller),
}

/// A started sign-in: where to send the browser, and the cookie to set in it.
#[derive(Clone)]
pub struct BegunSignIn {
    /// The provider's address.
    pub authorization_url: String,
    /// The value of the cookie that binds the flow to this browser.
    pub browser_binding: String,
}

impl std::fmt::Debug for BegunSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BegunSignIn(<redacted>)")
    }
}

/// What the provider's redirect brought back.
#[derive(Clone, Default)]
pub struct Callback {
    /// `state`.
    pub state: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `error` (the person declined, or the provider refused the request).
    pub error: Option<String>,
    /// The value of the browser-binding cookie, if the browser sent it.
    pub browser_binding: Option<String>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("has_state", &self.state.is_some())
            .field("has_code", &self.code.is_some())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

/// A finished callback.
#[derive(Clone)]
pub enum SignInOutcome {
    /// Signed in: the client trades `handoff` for a session.
    SignedIn {
        /// The one-time code.
        handoff: String,
        /// Where the client asked to go afterwards.
        return_to: Option<String>,
    },
    /// The identity was linked to the account that asked.
    Linked {
        /// Where the client asked to go afterwards.
        return_to: Option<String>,
    },
}

impl std::fmt::Debug for SignInOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignedIn { return_to, .. } => f
                .debug_struct("SignedIn")
                .field("return_to", return_to)
                .finish_non_exhaustive(),
            Self::Linked { return_to } => f
                .debug_struct("Linked")
                .field("return_to", return_to)
                .finish(),
        }
    }
}

/// Why a callback did not sign in, with a stable code the web client shows a message for.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No provider of that id is configured.
    #[error("unknown sign-in provider")]
    UnknownProvider,
    /// The callback matches no flow started in this browser (tampered, replayed, expired, or
    /// another browser's).
    #[error("the sign-in expired or was not started in this browser")]
    InvalidState,
    /// The provider said no (the person declined, or it refused the request).
    #[error("the provider did not sign you in")]
    Denied,
    /// The provider could not be reached.
    #[error("the provider is unavailable")]
    ProviderUnavailable,
    /// The provider's answer failed a check (a replayed code, a bad ID token).
    #[error("the provider's answer was refused")]
    Rejected,
    /// Linking: the identity belongs to another account.
    #[error("that identity is linked to another account")]
    IdentityInUse,
    /// The account it signs in to was disabled by an operator.
    #[error("this account is disabled")]
    AccountDisabled,
    /// Anything else (the store, a rate limit).
    #[error(transparent)]
    App(#[from] AppError),
}

impl SignInError {
    /// The code the web client is sent back with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownProvider => "unknown_provider",
            Self::InvalidState => "invalid_state",
            Self::Denied => "denied",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::Rejected => "rejected",
            Self::IdentityInUse => "identity_in_use",
            Self::AccountDisabled => "account_disabled",
            Self::App(AppError::RateLimited { .. }) => "rate_limited",
            Self::App(_) => "unavailable",
        }
    }
}

impl From<ProviderError> for SignInError {
    fn from(err: ProviderError) -> Self {
        tracing::warn!(error = %err, "identity provider");
        match err {
            ProviderError::Unavailable(_) => Self::ProviderUnavailable,
            ProviderError::Rejected(_) => Self::Rejected,
        }
    }
}

/// The sign-in use cases.
#[derive(Clone, Debug)]
pub struct SignInService {
    store: DynStore,
    auth: AuthService,
    limits: Arc<RateLimits>,
    providers: Arc<BTreeMap<String, Arc<dyn IdentityProvider>>>,
}

impl SignInService {
    pub(crate) fn new(store: DynStore, auth: AuthService, limits: Arc<RateLimits>) -> Self {
        Self {
            store,
            auth,
            limits,
            providers: Arc::default(),
        }
    }

    /// The same service with these providers (by their ids; a later one of the same id wins).
    pub(crate) fn with_providers(mut self, providers: Vec<Arc<dyn IdentityProvider>>) -> Self {
        self.providers = Arc::new(
            providers
                .into_iter()
                .map(|provider| (provider.info().id.clone(), provider))
                .collect(),
        );
        self
    }

    /// The configured providers, by id.
    pub fn providers(&self) -> Vec<ProviderInfo> {
        self.providers.values().map(|p| p.info().clone()).collect()
    }

    fn provider(&self, id: &str) -> Option<&Arc<dyn IdentityProvider>> {
        self.providers.get(id)
    }

    /// Starts a sign-in (or a link) with a provider.
    pub async fn begin(
        &self,
        provider_id: &str,
        intent: SignInIntent,
        return_to: Option<&str>,
        ip: IpAddr,
    ) -> Result<BegunSignIn, AppError> {
        self.limits.auth_by_ip(ip).await?;
        let provider = self
            .provider(provider_id)
            .ok_or(AppError::NotFound("sign-in provider"))?;
        let (state, nonce, pkce_verifier) = (random_token()?, random_token()?, random_token()?);
        let browser_binding = random_token()?;
        let authorization_url = provider
            .authorization_url(AuthorizationRequest {
                state: &state,
                nonce: &nonce,
                pkce_verifier: &pkce_verifier,
            })
            .await
            .map_err(|err| {
                tracing::warn!(provider = provider_id, error = %err, "cannot start a sign-in");
                AppError::Unavailable(StoreError::Unavailable(
                    "the sign-in provider is unavailable".to_owned(),
                ))
            })?;
        let at = now();
        self.store
            .save_sign_in_flow(
                SignInFlow {
                    state_hash: hash_secret(&state),
                    provider: provider_id.to_owned(),
                    browser_hash: hash_secret(&browser_binding),
                    nonce,
                    pkce_verifier,
                    link_to: match intent {
                        SignInIntent::SignIn => None,
                        SignInIntent::Link(caller) => Some(caller.user_id),
                    },
                    return_to: return_to.and_then(local_path),
                    expires_at: at + FLOW_TTL,
                },
                at,
            )
            .await?;
        Ok(BegunSignIn {
            authorization_url,
            browser_binding,
        })
    }

    /// Finishes a flow from the provider's redirect.
    pub async fn complete(
        &self,
        provider_id: &str,
        callback: Callback,
        ip: IpAddr,
    ) -> Result<SignInOutcome, SignInError> {
        self.limits.auth_by_ip(ip).await?;
        let provider = self
            .provider(provider_id)
            .ok_or(SignInError::UnknownProvider)?;
        let state = callback.state.ok_or(SignInError::InvalidState)?;
        // Taken (and so spent) before any other check: a callback is good for one try.
        let flow = self
            .store
            .take_sign_in_flow(&hash_secret(&state))
            .await
            .map_err(AppError::from)?
            .ok_or(SignInError::InvalidState)?;
        let same_browser = callback
            .browser_binding
            .is_some_and(|binding| hash_secret(&binding) == flow.browser_hash);
        if flow.provider != provider_id || flow.expires_at <= now() || !same_browser {
            return Err(SignInError::InvalidState);
        }
        if let Some(error) = callback.error {
            tracing::info!(provider = provider_id, error = %truncated(&error), "sign-in declined at the provider");
            return Err(SignInError::Denied);
        }
        let code = callback.code.ok_or(SignInError::Rejected)?;
        let profile = provider
            .exchange(&code, &flow.pkce_verifier, &flow.nonce)
            .await?;
        match flow.link_to {
            Some(user) => {
                self.link(provider_id, &profile, user).await?;
                Ok(SignInOutcome::Linked {
                    return_to: flow.return_to,
                })
            }
            None => {
                let user = self.account_for(provider_id, &profile).await?;
                if self.auth.is_disabled(user).await? {
                    return Err(SignInError::AccountDisabled);
                }
                let handoff = random_token().map_err(SignInError::App)?;
                self.store
                    .save_sign_in_handoff(SignInHandoff {
                        code_hash: hash_secret(&handoff),
                        user_id: user,
                        expires_at: now() + HANDOFF_TTL,
                    })
                    .await
                    .map_err(AppError::from)?;
                tracing::info!(provider = provider_id, user_id = %user, "signed in through a provider");
                Ok(SignInOutcome::SignedIn {
                    handoff,
                    return_to: flow.return_to,
                })
            }
        }
    }

    /// Trades a hand-off code (once) for a session.
    pub async fn redeem(
        &self,
        handoff: &str,
        client: &ClientInfo,
    ) -> Result<(User, NewSession), AppError> {
        let device = client.device()?;
        self.limits.auth_by_ip(client.ip).await?;
        let refused = || AppError::Unauthorized("invalid or expired sign-in code");
        let taken = self
            .store
            .take_sign_in_handoff(&hash_secret(handoff))
            .await?
            .ok_or_else(refused)?;
        if taken.expires_at <= now() {
            return Err(refused());
        }
        let user = self
            .store
            .user(taken.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        // Disabled between the callback and now.
        if self.auth.is_disabled(user.id).await? {
            return Err(AppError::AccountDisabled);
        }
        let session = self.auth.start_session(user.id, client, &device).await?;
        Ok((user, session))
    }

    /// The providers linked to the caller's account.
    pub async fn identities(&self, caller: Caller) -> Result<Vec<ExternalIdentity>, AppError> {
        Ok(self.store.external_identities(caller.user_id).await?)
    }

    /// Unlinks the caller's identity of a provider, unless it is their only way to sign in.
    pub async fn unlink(&self, caller: Caller, provider_id: &str) -> Result<(), AppError> {
        let linked = self.store.external_identities(caller.user_id).await?;
        if !linked
            .iter()
            .any(|identity| identity.provider == provider_id)
        {
            return Err(AppError::NotFound("linked identity"));
        }
        if linked.len() == 1 && !self.auth.has_password(caller.user_id).await? {
            return Err(AppError::Conflict(
                "this is your only way to sign in: set a password or link another provider first"
                    .to_owned(),
            ));
        }
        self.store
            .unlink_external_identity(caller.user_id, provider_id)
            .await?;
        tracing::info!(user_id = %caller.user_id, provider = provider_id, "identity unlinked");
        Ok(())
    }

    async fn link(
        &self,
        provider_id: &str,
        profile: &ExternalProfile,
        user: UserId,
    ) -> Result<(), SignInError> {
        let identity = identity(provider_id, profile, user);
        match self.store.link_external_identity(identity).await {
            Ok(()) => {
                tracing::info!(user_id = %user, provider = provider_id, "identity linked");
                Ok(())
            }
            Err(StoreError::Conflict(ConflictKind::IdentityLinked)) => {
                let owner = self
                    .store
                    .external_identity(provider_id, &profile.subject)
                    .await
                    .map_err(AppError::from)?;
                // Linking the same identity twice is done already, not an error.
                match owner {
                    Some(found) if found.user_id == user => Ok(()),
                    _ => Err(SignInError::IdentityInUse),
                }
            }
            Err(err) => Err(AppError::from(err).into()),
        }
    }

    /// The account this identity signs in to, created on its first sign-in.
    async fn account_for(
        &self,
        provider_id: &str,
        profile: &ExternalProfile,
    ) -> Result<UserId, SignInError> {
        if let Some(found) = self
            .store
            .external_identity(provider_id, &profile.subject)
            .await
            .map_err(AppError::from)?
        {
            return Ok(found.user_id);
        }
        let verified_email = profile
            .email
            .as_deref()
            .filter(|_| profile.email_verified)
            .map(str::to_lowercase);
        let mut email = verified_email.clone();
        if let Some(address) = &verified_email
            && let Some(owner) = self
                .store
                .user_by_email(address)
                .await
                .map_err(AppError::from)?
        {
            if owner.email_verified_at.is_some() {
                self.link(provider_id, profile, owner.id).await?;
                return Ok(owner.id);
            }
            // Someone registered the address without proving it: a new account, without it.
            email = None;
        }
        let display_name = profile
            .name
            .as_deref()
            .and_then(|name| DisplayName::parse(name).ok());
        for attempt in 0..USERNAME_TRIES {
            let username = username_for(profile, attempt)?;
            let user_id = UserId::new();
            let created_at = now();
            let new = NewUser {
                id: user_id,
                display_name: display_name.clone().unwrap_or_else(|| {
                    DisplayName::parse(username.as_str()).unwrap_or_else(|_| fallback_name())
                }),
                username,
                // No password: the account signs in through its providers until one is set.
                password_hash: String::new(),
                email: email.clone(),
                created_at,
            };
            let identity = identity(provider_id, profile, user_id);
            match self.store.create_user_with_identity(new, identity).await {
                Ok(user) => {
                    tracing::info!(user_id = %user.id, provider = provider_id, "account created through a provider");
                    return Ok(user.id);
                }
                Err(StoreError::Conflict(ConflictKind::UsernameTaken)) => continue,
                Err(StoreError::Conflict(ConflictKind::EmailTaken)) => {
                    email = None;
                    continue;
                }
                Err(StoreError::Conflict(ConflictKind::IdentityLinked)) => {
                    // The same person's other callback created it a moment ago.
                    if let Some(found) = self
                        .store
                        .external_identity(provider_id, &profile.subject)
                        .await
                        .map_err(AppError::from)?
                    {
                        return Ok(found.user_id);
                    }
                    return Err(SignInError::IdentityInUse);
                }
                Err(err) => return Err(AppError::from(err).into()),
            }
        }
        Err(AppError::Conflict("no free username for this account".to_owned()).into())
    }
}

fn identity(provider: &str, profile: &ExternalProfile, user_id: UserId) -> ExternalIdentity {
    ExternalIdentity {
        provider: provider.to_owned(),
        subject: profile.subject.clone(),
        user_id,
        email: profile.email.clone(),
        linked_at: now(),
    }
}

fn fallback_name() -> DisplayName {
    DisplayName::parse("Hearth user").unwrap_or_else(|_| unreachable!("a valid display name"))
}

/// A username for a new account: the one the provider prefers, else the e-mail's local part,
/// else the name, reduced to the characters usernames allow; after the first attempt, with a
/// random suffix.
fn username_for(profile: &ExternalProfile, attempt: usize) -> Result<Username, AppError> {
    let seed = [
        profile.preferred_username.as_deref(),
        profile
            .email
            .as_deref()
            .and_then(|email| email.split('@').next()),
        profile.name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(reduce_to_username)
    .find(|candidate| candidate.len() >= Username::MIN_LEN)
    .unwrap_or_else(|| "user".to_owned());
    let name = if attempt == 0 {
        seed
    } else {
        let mut bytes = [0u8; 2];
        getrandom::fill(&mut bytes).map_err(AppError::internal)?;
        let suffix = format!("-{:04}", u16::from_le_bytes(bytes) % 10_000);
        let keep = Username::MAX_LEN - suffix.len();
        format!("{}{suffix}", &seed[..seed.len().min(keep)])
    };
    Username::parse(&name).map_err(AppError::from)
}

fn reduce_to_username(raw: &str) -> String {
    let mut name: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_whitespace() { '.' } else { c })
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(*c))
        .collect();
    name.truncate(Username::MAX_LEN);
    name
}

/// `raw` if it is a path of this site (`/…`, not `//…`, no backslash or control character),
/// so that a crafted `return_to` cannot send anyone elsewhere.
fn local_path(raw: &str) -> Option<String> {
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= MAX_RETURN_TO
        && !raw.chars().any(|c| c == '\\' || c.is_control());
    local.then(|| raw.to_owned())
}

fn truncated(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    fn profile(
        preferred: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
    ) -> ExternalProfile {
        ExternalProfile {
            subject: "s".to_owned(),
            email: email.map(str::to_owned),
            email_verified: true,
            name: name.map(str::to_owned),
            preferred_username: preferred.map(str::to_owned),
        }
    }

    #[test]
    fn a_new_account_takes_the_preferred_username_then_the_email_then_the_name() {
        let name = |p: ExternalProfile| username_for(&p, 0).unwrap().as_str().to_owned();
        assert_eq!(name(profile(Some("Bob_B"), Some("x@y.z"), None)), "bob_b");
        assert_eq!(
            name(profile(None, Some("Carol.K@example.test"), None)),
            "carol.k"
        );
        assert_eq!(
            name(profile(None, None, Some("Dana Scully"))),
            "dana.scully"
        );
        assert_eq!(name(profile(Some("é"), Some("ö@x.y"), Some("李"))), "user");
    }

    #[test]
    fn a_retry_adds_a_suffix_within_the_length_limit() {
        let long = "a".repeat(40);
        let name = username_for(&profile(Some(&long), None, None), 3).unwrap();
        assert!(name.as_str().len() <= Username::MAX_LEN, "{name:?}");
        assert!(name.as_str().starts_with("aaaa") && name.as_str().contains('-'));
    }

    #[test]
    fn return_to_must_be_a_path_of_this_site() {
        assert_eq!(local_path("/c/123"), Some("/c/123".to_owned()));
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil",
            "c/1",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }
}
