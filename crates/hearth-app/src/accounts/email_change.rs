//! Changing one's e-mail address: the owner asks (proving the password), a single-use link is
//! mailed to the new address, and only following it moves the account there, proven. Until
//! then the old address stays, so a mistyped address locks no one out, and sign-in with
//! `auth.require_email_verification` keeps working.

use std::net::IpAddr;

use hearth_domain::ValidationErrors;
use hearth_store::{ConflictKind, StoreError, TokenPurpose, UsedToken};

use super::AccountService;
use crate::auth::parse_email;
use crate::{AppError, Caller, mail_templates, now};

impl AccountService {
    /// Mails a link to `new_email` that moves the caller's account to it once followed. The
    /// password is needed when the account has one; an address another account has is a
    /// conflict.
    pub async fn request_email_change(
        &self,
        caller: Caller,
        new_email: &str,
        password_given: Option<&str>,
        ip: IpAddr,
    ) -> Result<(), AppError> {
        self.limits.auth_by_ip(ip).await?;
        let email = parse_email(new_email.trim()).map_err(AppError::from)?;
        self.limits.mail_to(&email).await?;
        let user = caller.user_id;
        self.prove_password(user, password_given).await?;
        let account = self
            .store
            .account(user)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        if account.email.as_deref() == Some(email.as_str()) {
            return Err(
                ValidationErrors::field("email", "is already the account's address").into(),
            );
        }
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::Conflict(
                "that e-mail address belongs to another account".to_owned(),
            ));
        }
        self.mail_verification_link(&account.user, &email, TokenPurpose::EmailChange)
            .await?;
        tracing::info!(user_id = %user, "e-mail change asked; a link went to the new address");
        Ok(())
    }

    /// Follows a change link: the account takes the address the link was mailed to, proven,
    /// and the address it had is told (whoever asked for the change knew the password).
    pub(super) async fn take_new_address(&self, used: UsedToken) -> Result<(), AppError> {
        let email = used.email.ok_or(AppError::InvalidToken(
            "this confirmation link names no address",
        ))?;
        let before = self.store.account(used.user_id).await?;
        match self.store.change_email(used.user_id, &email, now()).await {
            Ok(()) => {
                tracing::info!(user_id = %used.user_id, "e-mail address changed and confirmed");
                if let Some(account) = before
                    && let Some(old) = account.email.as_deref().filter(|old| *old != email)
                {
                    let mail = mail_templates::email_changed(
                        self.settings.locale,
                        old,
                        account.user.display_name.as_str(),
                        &email,
                    );
                    self.outbox.post(mail, "email_changed");
                }
                Ok(())
            }
            Err(StoreError::Conflict(ConflictKind::EmailTaken)) => Err(AppError::InvalidToken(
                "another account took this address meanwhile; ask for a new link",
            )),
            Err(error) => Err(error.into()),
        }
    }
}
