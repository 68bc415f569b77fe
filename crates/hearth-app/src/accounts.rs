//! Account recovery and administration: password reset by mail, change of password, the
//! operator's tools (list, reset, disable, enable), and the owner's export and deletion
//! (`lifecycle`).
//!
//! A reset request answers the same, at once, whether or not the account exists: the lookup
//! and the mail happen on a task of their own, off the request. A mailed token is 32 random
//! bytes; the store keeps only its SHA-256, and uses it up atomically. Setting a password ends
//! sessions on every node at once (the store revokes their refresh tokens, the bus ends their
//! access tokens). Must never: put a password or a token in a log line, or tell a caller
//! whether an account exists.

use std::net::IpAddr;
use std::sync::Arc;

use hearth_domain::{Password, SessionId, User, UserId, Username, ValidationErrors};
use hearth_store::{Account, DynStore, NewAccountToken, TokenPurpose};
use time::Duration as TimeDuration;

use crate::avatars::AvatarService;
use crate::mail::Outbox;
use crate::mail_templates;
use crate::tokens::{hash_refresh_token, random_token};
use crate::user_names::UserNames;
use crate::{
    AccountSettings, AppError, AuthService, Caller, MediaService, MessageService, RateLimits, now,
    password,
};

mod email_change;
mod email_verification;
mod lifecycle;

pub use email_verification::Registered;
pub use lifecycle::{AccountExport, DELETED_USER};

/// Longest accepted username-or-address in a reset request.
const MAX_LOGIN_LEN: usize = 254;

/// The other use cases the account ones act through: deleting an account deletes its
/// messages as they would be one by one, forgets its cached names and deletes its uploads
/// and its profile picture.
#[derive(Clone, Debug)]
pub(crate) struct AccountPeers {
    pub(crate) messages: MessageService,
    pub(crate) names: UserNames,
    pub(crate) media: MediaService,
    pub(crate) avatars: AvatarService,
}

/// The account recovery and administration use cases.
#[derive(Clone, Debug)]
pub struct AccountService {
    store: DynStore,
    settings: AccountSettings,
    outbox: Outbox,
    limits: Arc<RateLimits>,
    auth: AuthService,
    messages: MessageService,
    names: UserNames,
    media: MediaService,
    avatars: AvatarService,
}

impl AccountService {
    pub(crate) fn new(
        store: DynStore,
        settings: AccountSettings,
        outbox: Outbox,
        limits: Arc<RateLimits>,
        auth: AuthService,
        peers: AccountPeers,
    ) -> Self {
        let AccountPeers {
            messages,
            names,
            media,
            avatars,
        } = peers;
        Self {
            store,
            settings,
            outbox,
            limits,
            auth,
            messages,
            names,
            media,
            avatars,
        }
    }

    /// Mails a password-reset link to the account named by `login` (its username or e-mail
    /// address), if there is one with an address. Answers `Ok` either way, before looking;
    /// only the rate limits (per address of the caller, per name asked for) refuse.
    pub async fn request_password_reset(&self, login: &str, ip: IpAddr) -> Result<(), AppError> {
        let login = self.accept_mail_request(login, ip).await?;
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(error) = this.mail_reset_link(&login).await {
                tracing::warn!(%error, "a password-reset mail could not be prepared");
            }
        });
        Ok(())
    }

    /// Checks a request for a mail that names an account by `login` (its username or e-mail
    /// address) and counts it against the rate limits (per address of the caller, per name
    /// asked for); the login, trimmed.
    pub(crate) async fn accept_mail_request(
        &self,
        login: &str,
        ip: IpAddr,
    ) -> Result<String, AppError> {
        // The length as sent (the documented limit), then the name without spaces around it.
        let too_long = login.chars().count() > MAX_LOGIN_LEN;
        let login = login.trim();
        if login.is_empty() || too_long {
            return Err(ValidationErrors::field(
                "login",
                "must be a username or an e-mail address (at most 254 characters)",
            )
            .into());
        }
        self.limits.auth_by_ip(ip).await?;
        self.limits.mail_to(login).await?;
        Ok(login.to_owned())
    }

    /// The account `login` names: by e-mail address when it has an `@`, else by username.
    pub(crate) async fn user_named_by(&self, login: &str) -> Result<Option<User>, AppError> {
        Ok(if login.contains('@') {
            self.store.user_by_email(login).await?
        } else {
            match Username::parse(login) {
                Ok(name) => self.store.user_by_username(&name).await?,
                Err(_) => None,
            }
        })
    }

    async fn mail_reset_link(&self, login: &str) -> Result<(), AppError> {
        let user = self.user_named_by(login).await?;
        let Some(user) = user else {
            tracing::info!("password reset asked for an unknown account; nothing sent");
            return Ok(());
        };
        let Some(account) = self.store.account(user.id).await? else {
            return Ok(());
        };
        let (Some(email), None) = (account.email.as_deref(), account.disabled_at) else {
            tracing::info!(user_id = %user.id, "password reset asked for an account without an address, or disabled; nothing sent");
            return Ok(());
        };
        let token = random_token()?;
        let created_at = now();
        let ttl = self.settings.password_reset_ttl;
        self.store
            .add_account_token(NewAccountToken {
                token_hash: hash_refresh_token(&token),
                user_id: user.id,
                purpose: TokenPurpose::PasswordReset,
                email: None,
                created_at,
                expires_at: created_at + TimeDuration::try_from(ttl).unwrap_or(TimeDuration::HOUR),
            })
            .await?;
        let link = format!(
            "{}/reset-password?token={token}",
            self.settings.public_url.trim_end_matches('/')
        );
        let mail = mail_templates::password_reset(
            self.settings.locale,
            email,
            user.display_name.as_str(),
            &link,
            ttl.as_secs() / 60,
        );
        tracing::info!(user_id = %user.id, "password-reset mail queued");
        self.outbox.post(mail, "password_reset");
        Ok(())
    }

    /// Sets a new password with a mailed reset token, and ends every session of the account.
    /// The password is checked first, so a weak one does not use the link up.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AppError> {
        let password = Password::parse(new_password).map_err(AppError::from)?;
        let used = self
            .store
            .use_account_token(
                &hash_refresh_token(token.trim()),
                TokenPurpose::PasswordReset,
                now(),
            )
            .await?
            .ok_or(AppError::InvalidToken(
                "this reset link is unknown, already used or expired; ask for a new one",
            ))?;
        let account = self
            .store
            .account(used.user_id)
            .await?
            .ok_or(AppError::InvalidToken(
                "this reset link's account no longer exists",
            ))?;
        if account.disabled_at.is_some() {
            return Err(AppError::AccountDisabled);
        }
        self.set_password(used.user_id, password, None).await?;
        tracing::info!(user_id = %used.user_id, "password reset with a mailed link");
        self.notify_changed(&account);
        Ok(())
    }

    /// Changes the caller's password, which they prove they know, and ends their other
    /// sessions (the one they call from stays).
    pub async fn change_password(
        &self,
        caller: Caller,
        current: &str,
        new_password: &str,
        ip: IpAddr,
    ) -> Result<(), AppError> {
        self.limits.auth_by_ip(ip).await?;
        let password = Password::parse(new_password).map_err(AppError::from)?;
        let hash = self
            .store
            .password_hash(caller.user_id)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        if !password::verify(current.to_owned(), hash).await? {
            return Err(ValidationErrors::field(
                "current_password",
                "is not the account's current password",
            )
            .into());
        }
        self.set_password(caller.user_id, password, Some(caller.session_id))
            .await?;
        tracing::info!(user_id = %caller.user_id, "password changed; other sessions ended");
        if let Some(account) = self.store.account(caller.user_id).await? {
            self.notify_changed(&account);
        }
        Ok(())
    }

    /// The same service, deleting accounts' uploads and pictures from these services' blob
    /// store.
    pub(crate) fn with_media(mut self, media: MediaService, avatars: AvatarService) -> Self {
        self.media = media;
        self.avatars = avatars;
        self
    }

    /// Checks that the caller knows the account's password, before a change that only its
    /// owner may make; an account without one (made through an identity provider) needs none.
    pub(crate) async fn prove_password(
        &self,
        user: UserId,
        given: Option<&str>,
    ) -> Result<(), AppError> {
        let hash = self
            .store
            .password_hash(user)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        if hash.is_empty() {
            return Ok(());
        }
        let wrong = || ValidationErrors::field("password", "is not the account's password").into();
        let given = given.ok_or_else(wrong)?;
        if password::verify(given.to_owned(), hash).await? {
            Ok(())
        } else {
            Err(wrong())
        }
    }

    /// Every account, by username (the operator's `hearth admin list-users`).
    pub async fn list(&self) -> Result<Vec<Account>, AppError> {
        Ok(self.store.accounts().await?)
    }

    /// Sets the password of the account named `username` without the old one, and ends all
    /// its sessions (the operator's `hearth admin reset-password`).
    pub async fn admin_reset_password(
        &self,
        username: &str,
        new_password: &str,
    ) -> Result<User, AppError> {
        let password = Password::parse(new_password).map_err(AppError::from)?;
        let user = self.named(username).await?;
        self.set_password(user.id, password, None).await?;
        tracing::info!(user_id = %user.id, "password reset by the operator");
        Ok(user)
    }

    /// Disables (`true`) or enables the account named `username`. Disabling ends all its
    /// sessions; its next sign-in answers `account_disabled`.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<User, AppError> {
        let user = self.named(username).await?;
        self.store.set_disabled(user.id, disabled.then(now)).await?;
        if disabled {
            self.auth.end_sessions_now(user.id, None).await?;
        }
        tracing::info!(user_id = %user.id, disabled, "account access changed by the operator");
        Ok(user)
    }

    async fn named(&self, username: &str) -> Result<User, AppError> {
        let name = Username::parse(username).map_err(AppError::from)?;
        self.store
            .user_by_username(&name)
            .await?
            .ok_or(AppError::NotFound("user"))
    }

    async fn set_password(
        &self,
        user: UserId,
        password: Password,
        keep: Option<SessionId>,
    ) -> Result<(), AppError> {
        let hash = password::hash(password).await?;
        self.store.set_password(user, hash, now()).await?;
        self.auth.end_sessions_now(user, keep).await?;
        Ok(())
    }

    fn notify_changed(&self, account: &Account) {
        if let Some(email) = &account.email {
            let mail = mail_templates::password_changed(
                self.settings.locale,
                email,
                account.user.display_name.as_str(),
            );
            self.outbox.post(mail, "password_changed");
        }
    }
}
