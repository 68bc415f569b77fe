//! Proving an e-mail address: with `auth.require_email_verification` on, registration needs an
//! address and mails a single-use, expiring link instead of signing in, and sign-in waits
//! until the link is followed (`email_not_verified`). A link can be asked for again; the
//! answer never says whether the account exists. A link proves the address it was mailed to:
//! if the account's address changed since, it proves nothing.

use std::net::IpAddr;

use hearth_domain::{User, ValidationErrors};
use hearth_store::{NewAccountToken, TokenPurpose};
use time::Duration as TimeDuration;

use super::AccountService;
use crate::tokens::{hash_refresh_token, random_token};
use crate::{AppError, ClientInfo, NewSession, RegisterInput, mail_templates, now};

/// What a registration did.
#[derive(Debug)]
pub enum Registered {
    /// The account exists and is signed in (verification is not required).
    SignedIn(User, NewSession),
    /// The account exists; a link was mailed to its address, and it may sign in once the link
    /// is followed.
    VerificationSent(User),
}

impl AccountService {
    /// Creates an account: signed in at once, or — when the server requires proven addresses —
    /// with a verification link mailed to the (then required) address.
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<Registered, AppError> {
        if !self.settings.require_email_verification {
            let (user, session) = self.auth.register(input, client).await?;
            return Ok(Registered::SignedIn(user, session));
        }
        let Some(email) = input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|email| !email.is_empty())
            .map(str::to_lowercase)
        else {
            return Err(ValidationErrors::field(
                "email",
                "is required: this server confirms addresses before sign-in",
            )
            .into());
        };
        let user = self.auth.register_unsigned(input, client.ip).await?;
        self.mail_verification_link(&user, &email, TokenPurpose::EmailVerification)
            .await?;
        Ok(Registered::VerificationSent(user))
    }

    /// Follows a verification link: the account's address is proven, and it may sign in.
    pub async fn verify_email(&self, token: &str) -> Result<(), AppError> {
        let invalid = || {
            AppError::InvalidToken(
                "this confirmation link is unknown, already used or expired; ask for a new one",
            )
        };
        let hash = hash_refresh_token(token.trim());
        let used = self
            .store
            .use_account_token(&hash, TokenPurpose::EmailVerification, now())
            .await?;
        let used = match used {
            Some(used) => used,
            None => {
                let change = self
                    .store
                    .use_account_token(&hash, TokenPurpose::EmailChange, now())
                    .await?
                    .ok_or_else(invalid)?;
                return self.take_new_address(change).await;
            }
        };
        let email = used.email.ok_or_else(invalid)?;
        if !self
            .store
            .mark_email_verified(used.user_id, &email, now())
            .await?
        {
            return Err(AppError::InvalidToken(
                "this link was for an address the account no longer has",
            ));
        }
        tracing::info!(user_id = %used.user_id, "e-mail address confirmed");
        Ok(())
    }

    /// Mails a new verification link to the account named by `login` (username or address)
    /// if it has an address that is not proven yet. Answers `Ok` either way, before looking;
    /// only the rate limits refuse.
    pub async fn resend_verification(&self, login: &str, ip: IpAddr) -> Result<(), AppError> {
        let login = self.accept_mail_request(login, ip).await?;
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(error) = this.resend_to(&login).await {
                tracing::warn!(%error, "a verification mail could not be prepared");
            }
        });
        Ok(())
    }

    async fn resend_to(&self, login: &str) -> Result<(), AppError> {
        let user = self.user_named_by(login).await?;
        let Some(user) = user.filter(|user| user.email_verified_at.is_none()) else {
            return Ok(());
        };
        let Some(account) = self.store.account(user.id).await? else {
            return Ok(());
        };
        let (Some(email), None) = (account.email.as_deref(), account.disabled_at) else {
            return Ok(());
        };
        self.mail_verification_link(&user, email, TokenPurpose::EmailVerification)
            .await
    }

    /// Mails `email` a link that proves it for `user`'s account: a verification of the
    /// account's address, or (`EmailChange`) of the address it is to change to.
    pub(super) async fn mail_verification_link(
        &self,
        user: &User,
        email: &str,
        purpose: TokenPurpose,
    ) -> Result<(), AppError> {
        let token = random_token()?;
        let created_at = now();
        let ttl = self.settings.email_verification_ttl;
        self.store
            .add_account_token(NewAccountToken {
                token_hash: hash_refresh_token(&token),
                user_id: user.id,
                purpose,
                email: Some(email.to_owned()),
                created_at,
                expires_at: created_at + TimeDuration::try_from(ttl).unwrap_or(TimeDuration::DAY),
            })
            .await?;
        let link = format!(
            "{}/verify-email?token={token}",
            self.settings.public_url.trim_end_matches('/')
        );
        let mail = mail_templates::email_verification(
            self.settings.locale,
            email,
            user.display_name.as_str(),
            &link,
            ttl.as_secs() / 60,
        );
        tracing::info!(user_id = %user.id, "verification mail queued");
        self.outbox.post(mail, "email_verification");
        Ok(())
    }
}
