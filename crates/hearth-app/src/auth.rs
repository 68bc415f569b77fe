//! Accounts and sessions: register, login, refresh, logout, and the check of access tokens.
//!
//! Refresh tokens rotate on every use. Each login starts a session (a token family); a token
//! that was already rotated and is presented again means it leaked, so the whole session is
//! revoked — except within a short grace window after the rotation, where it is the client
//! retrying a request whose answer it lost, and it gets a fresh pair instead.

use std::net::IpAddr;
use std::sync::Arc;

use crate::realtime::EventBus;
use crate::sessions::ClientInfo;

use hearth_domain::{
    DeviceName, DisplayName, Password, SessionId, Timestamp, User, UserId, Username,
    ValidationErrors,
};
use hearth_store::{DynStore, NewRefreshToken, NewUser, RefreshTokenRecord};
use time::Duration as TimeDuration;
use uuid::Uuid;

use crate::revocations::Revocations;
use crate::service_tokens::ServiceKeys;
use crate::tokens::{JwtKeys, hash_refresh_token, random_token};
use crate::{AppError, AuthSettings, JwtSecret, RateLimits, now, password};

/// The authenticated caller of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who they are.
    pub user_id: UserId,
    /// The session their access token belongs to.
    pub session_id: SessionId,
    /// When their access token expires (Unix seconds); long-lived connections close then
    /// unless the client renews it.
    pub expires_at: i64,
}

/// A token pair for a session.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// A signed JWT.
    pub access_token: String,
    /// The opaque refresh token (only its hash is stored).
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// What a new account is made of, as the client sent it.
#[derive(Clone, Debug)]
pub struct RegisterInput {
    /// Wanted login name.
    pub username: String,
    /// Wanted display name (the username when `None`).
    pub display_name: Option<String>,
    /// Password.
    pub password: String,
    /// E-mail address.
    pub email: Option<String>,
}

/// The account and session use cases.
#[derive(Clone, Debug)]
pub struct AuthService {
    pub(crate) store: DynStore,
    settings: AuthSettings,
    keys: JwtKeys,
    pub(crate) service_keys: ServiceKeys,
    limits: Arc<RateLimits>,
    pub(crate) revocations: Revocations,
    /// Carries ended sessions to every node.
    pub(crate) bus: Arc<dyn EventBus>,
    /// Sign-in needs a proven e-mail address (`auth.require_email_verification`).
    require_email_verification: bool,
}

fn duration(std: std::time::Duration) -> TimeDuration {
    TimeDuration::try_from(std).unwrap_or(TimeDuration::MAX)
}

impl AuthService {
    pub(crate) fn new(
        store: DynStore,
        settings: AuthSettings,
        secret: JwtSecret,
        limits: Arc<RateLimits>,
        revocations: Revocations,
        bus: Arc<dyn EventBus>,
        require_email_verification: bool,
    ) -> Self {
        Self {
            revocations,
            bus,
            require_email_verification,
            store,
            settings,
            keys: JwtKeys::new(&secret),
            service_keys: ServiceKeys::new(&secret),
            limits,
        }
    }

    /// Creates an account and signs it in.
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<(User, NewSession), AppError> {
        let device = client.device()?;
        let user = self.register_unsigned(input, client.ip).await?;
        let session = self.start_session(user.id, client, &device).await?;
        Ok((user, session))
    }

    /// Creates an account under the registration rate limits, without signing it in (it must
    /// prove its e-mail address first).
    pub(crate) async fn register_unsigned(
        &self,
        input: RegisterInput,
        ip: IpAddr,
    ) -> Result<User, AppError> {
        self.limits.auth_by_ip(ip).await?;
        if let Ok(name) = Username::parse(&input.username) {
            self.limits.auth_by_username(name.as_str()).await?;
        }
        self.create_account(input).await
    }

    /// Creates an account without signing in and without rate limits (the `hearth admin`
    /// command).
    pub async fn create_account(&self, input: RegisterInput) -> Result<User, AppError> {
        let mut errors = ValidationErrors::default();
        let username = errors.check(Username::parse(&input.username));
        let display_name = match input.display_name.as_deref() {
            Some(name) => errors.check(DisplayName::parse(name)),
            None => username
                .as_ref()
                .map(|u| DisplayName::from_trusted(u.as_str().to_owned())),
        };
        let password = errors.check(Password::parse(&input.password));
        let email = match input.email.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(email) => errors.check(parse_email(email)).map(Some),
        };
        errors.into_result()?;
        let (Some(username), Some(display_name), Some(password), Some(email)) =
            (username, display_name, password, email)
        else {
            return Err(AppError::BadRequest("invalid registration".to_owned()));
        };

        let password_hash = password::hash(password).await?;
        let user = self
            .store
            .create_user(NewUser {
                id: UserId::new(),
                username,
                display_name,
                password_hash,
                email,
                created_at: now(),
            })
            .await
            .map_err(|err| match AppError::from(err) {
                AppError::Conflict(_) => {
                    AppError::Conflict("that username or e-mail is already taken".to_owned())
                }
                other => other,
            })?;
        tracing::info!(user_id = %user.id, "account created");
        Ok(user)
    }

    /// Checks a username and password and starts a session on the client's device.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<(User, NewSession), AppError> {
        let device = client.device()?;
        self.limits.auth_by_ip(client.ip).await?;
        let refused = AppError::Unauthorized("invalid username or password");
        let Ok(name) = Username::parse(username) else {
            return Err(refused);
        };
        self.limits.auth_by_username(name.as_str()).await?;
        match self.store.credentials(&name).await? {
            Some(credentials) => {
                if !password::verify(password.to_owned(), credentials.password_hash).await? {
                    return Err(refused);
                }
                // Told only to who knows the password.
                if credentials.disabled_at.is_some() {
                    return Err(AppError::AccountDisabled);
                }
                if self.require_email_verification && credentials.user.email_verified_at.is_none() {
                    return Err(AppError::EmailNotVerified);
                }
                let session = self
                    .start_session(credentials.user.id, client, &device)
                    .await?;
                Ok((credentials.user, session))
            }
            None => {
                password::verify(password.to_owned(), password::decoy_hash().await?).await?;
                Err(refused)
            }
        }
    }

    /// Trades a refresh token for a new pair (rotation).
    pub async fn refresh(&self, refresh_token: &str, ip: IpAddr) -> Result<NewSession, AppError> {
        self.limits.auth_by_ip(ip).await?;
        let hash = hash_refresh_token(refresh_token);
        let record = self.live_token(&hash).await?;
        let user = self
            .store
            .user(record.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        self.limits.auth_by_username(user.username.as_str()).await?;

        if record.revoked_at.is_none() {
            let (next, session) = self.next_pair(&record, ip)?;
            if self.store.rotate_refresh_token(record.id, next).await? {
                return Ok(session);
            }
            // Another request rotated it first; judge this one as a reuse of a rotated token.
            let record = self.live_token(&hash).await?;
            return self.reuse(record, ip).await;
        }
        self.reuse(record, ip).await
    }

    /// Ends the session the refresh token belongs to; its access tokens stop working too.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        let record = self
            .store
            .refresh_token(&hash_refresh_token(refresh_token))
            .await?
            .ok_or(AppError::Unauthorized("invalid refresh token"))?;
        self.store.revoke_session(record.session_id, now()).await?;
        self.announce_ended(&[record.session_id]);
        tracing::info!(user_id = %record.user_id, session_id = %record.session_id.as_uuid(), "session ended");
        Ok(())
    }

    /// Whether the account has a password (one created through an identity provider has
    /// none until its owner sets one).
    pub(crate) async fn has_password(&self, user: UserId) -> Result<bool, AppError> {
        let hash = self.store.password_hash(user).await?;
        Ok(hash.is_some_and(|hash| !hash.is_empty()))
    }

    /// Whether an operator disabled the account (`hearth admin disable-user`).
    pub(crate) async fn is_disabled(&self, user: UserId) -> Result<bool, AppError> {
        let account = self.store.account(user).await?;
        Ok(account.is_some_and(|account| account.disabled_at.is_some()))
    }

    /// Checks an access token: its signature and expiry, and that its session has not ended
    /// (see [`crate::revocations`]).
    pub fn authenticate(&self, access_token: &str) -> Result<Caller, AppError> {
        let caller = self.keys.verify(access_token)?;
        if self.revocations.has_ended(caller.session_id) {
            return Err(AppError::Unauthorized("session has ended; sign in again"));
        }
        Ok(caller)
    }

    /// The stored token with this hash, if it exists, has not expired and its session lives.
    async fn live_token(
        &self,
        hash: &hearth_store::TokenHash,
    ) -> Result<RefreshTokenRecord, AppError> {
        let record = self
            .store
            .refresh_token(hash)
            .await?
            .ok_or(AppError::Unauthorized("invalid refresh token"))?;
        if record.session_revoked_at.is_some() {
            return Err(AppError::Unauthorized("session has ended; sign in again"));
        }
        if record.expires_at <= now() {
            return Err(AppError::Unauthorized(
                "refresh token expired; sign in again",
            ));
        }
        Ok(record)
    }

    /// A rotated token presented again: a retry inside the grace window gets a new pair; any
    /// later use revokes the session.
    async fn reuse(&self, record: RefreshTokenRecord, ip: IpAddr) -> Result<NewSession, AppError> {
        let at = now();
        let rotated_at = record.revoked_at.unwrap_or(at);
        if at - rotated_at <= duration(self.settings.refresh_reuse_grace) {
            let (next, session) = self.next_pair(&record, ip)?;
            self.store.add_refresh_token(next).await?;
            return Ok(session);
        }
        self.store.revoke_session(record.session_id, at).await?;
        self.announce_ended(&[record.session_id]);
        tracing::warn!(
            user_id = %record.user_id,
            session_id = %record.session_id.as_uuid(),
            "a rotated refresh token was reused; the session is revoked"
        );
        Err(AppError::Unauthorized(
            "refresh token was already used; the session is revoked",
        ))
    }

    /// Starts a session of `user` on `device` (named beforehand, so a bad name refuses the
    /// request before anything is written).
    pub(crate) async fn start_session(
        &self,
        user: UserId,
        client: &ClientInfo,
        device: &DeviceName,
    ) -> Result<NewSession, AppError> {
        let session_id = SessionId::new();
        let issued_at = now();
        let refresh_token = random_token()?;
        self.store
            .create_session(
                NewRefreshToken {
                    id: Uuid::now_v7(),
                    session_id,
                    user_id: user,
                    token_hash: hash_refresh_token(&refresh_token),
                    issued_at,
                    expires_at: issued_at + duration(self.settings.refresh_token_ttl),
                    ip: client.ip.to_string(),
                },
                device,
            )
            .await?;
        self.pair(user, session_id, refresh_token, issued_at)
    }

    /// The successor of `record`: the token to store and the pair to hand out.
    fn next_pair(
        &self,
        record: &RefreshTokenRecord,
        ip: IpAddr,
    ) -> Result<(NewRefreshToken, NewSession), AppError> {
        let issued_at = now();
        let refresh_token = random_token()?;
        let next = NewRefreshToken {
            id: Uuid::now_v7(),
            session_id: record.session_id,
            user_id: record.user_id,
            token_hash: hash_refresh_token(&refresh_token),
            issued_at,
            expires_at: issued_at + duration(self.settings.refresh_token_ttl),
            ip: ip.to_string(),
        };
        let session = self.pair(record.user_id, record.session_id, refresh_token, issued_at)?;
        Ok((next, session))
    }

    fn pair(
        &self,
        user: UserId,
        session: SessionId,
        refresh_token: String,
        issued_at: Timestamp,
    ) -> Result<NewSession, AppError> {
        let ttl = duration(self.settings.access_token_ttl);
        Ok(NewSession {
            access_token: self.keys.issue(user, session, issued_at, issued_at + ttl)?,
            refresh_token,
            expires_in: ttl.whole_seconds(),
        })
    }
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in the domain, at most
/// 254 characters. (Deliverability is proven by verification mail, not by a regex.)
pub(crate) fn parse_email(raw: &str) -> Result<String, ValidationErrors> {
    let invalid = || ValidationErrors::field("email", "must be an e-mail address");
    let (local, domain) = raw.split_once('@').ok_or_else(invalid)?;
    let plausible = raw.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if plausible {
        Ok(raw.to_lowercase())
    } else {
        Err(invalid())
    }
}
