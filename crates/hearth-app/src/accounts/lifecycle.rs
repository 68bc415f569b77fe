//! The end of an account, by its owner: an export of their data (seed 001's GDPR line) and
//! the deletion of the account.
//!
//! Deleting keeps the account's row — old messages and memberships point at it — with nothing
//! of its person: the names become "Deleted user" and a unique `deleted-…` username, the
//! address, password, linked identities, mailed tokens and uploaded files (blob and record)
//! go, every session ends at once, and then every message the person sent becomes a tombstone, in the background, each with
//! its own log entry so that every member's client learns it by realtime or sync. Must never:
//! delete without the password of an account that has one, or leave a deleted person's text
//! readable anywhere.

use std::net::IpAddr;

use hearth_domain::{
    ConversationSummary, DisplayName, Message, MessageId, Privacy, UserId, Username,
};
use hearth_store::{Account, BlockedUser, ErasedAccount, ExternalIdentity};

use super::AccountService;
use crate::{AppError, Caller, SessionInfo, now};

/// How many messages one read of an export or a deletion takes.
const PAGE: u32 = 500;

/// The name others see for a deleted account.
pub const DELETED_USER: &str = "Deleted user";

/// Everything the server keeps about one person, for them to take away.
#[derive(Clone, Debug)]
pub struct AccountExport {
    /// The account: profile, address, whether disabled.
    pub account: Account,
    /// Its live sessions.
    pub sessions: Vec<SessionInfo>,
    /// The identity providers linked to it.
    pub identities: Vec<ExternalIdentity>,
    /// Its privacy settings.
    pub privacy: Privacy,
    /// The people it blocked.
    pub blocked: Vec<BlockedUser>,
    /// The conversations it is a member of.
    pub conversations: Vec<ConversationSummary>,
    /// Every message it sent that is not deleted, oldest first.
    pub messages: Vec<Message>,
    /// Every file it uploaded (pending or ready), oldest first: the records, not the bytes
    /// (each downloads from its own URL).
    pub uploads: Vec<hearth_domain::Media>,
}

impl AccountService {
    /// Everything the server keeps about the caller.
    pub async fn export(&self, caller: Caller) -> Result<AccountExport, AppError> {
        let user = caller.user_id;
        let account = self
            .store
            .account(user)
            .await?
            .ok_or(AppError::Unauthorized("account no longer exists"))?;
        let mut messages = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.messages_by_sender(user, after, PAGE).await?;
            after = page.last().map(|m| m.id);
            let full = page.len() == PAGE as usize;
            messages.extend(page);
            if !full {
                break;
            }
        }
        tracing::info!(user_id = %user, messages = messages.len(), "account data exported");
        Ok(AccountExport {
            account,
            sessions: self.auth.sessions(caller).await?,
            identities: self.store.external_identities(user).await?,
            privacy: self.store.privacy(user).await?,
            blocked: self.store.blocked_users(user).await?,
            conversations: self.store.conversation_summaries(user).await?,
            messages,
            uploads: self.media.all_of(user).await?,
        })
    }

    /// Deletes the caller's account, proven by its password (an account made through an
    /// identity provider without one needs none). Its sessions end at once; its messages become
    /// tombstones on a task of their own, which this returns without waiting for.
    pub async fn delete_account(
        &self,
        caller: Caller,
        password_given: Option<&str>,
        ip: IpAddr,
    ) -> Result<(), AppError> {
        self.limits.auth_by_ip(ip).await?;
        let user = caller.user_id;
        self.prove_password(user, password_given).await?;
        let avatar = self.store.user(user).await?.and_then(|u| u.avatar);
        self.store
            .erase_account(ErasedAccount {
                user,
                username: deleted_username(user),
                display_name: DisplayName::from_trusted(DELETED_USER.to_owned()),
                at: now(),
            })
            .await?;
        self.auth.end_sessions_now(user, None).await?;
        self.names.forget(user);
        let files = self.media.remove_all_of(user).await?;
        self.avatars.forget_picture(user, avatar).await;
        tracing::info!(user_id = %user, files, "account deleted by its owner");

        let this = self.clone();
        tokio::spawn(async move {
            match this.tombstone_messages_of(caller).await {
                Ok(count) => {
                    tracing::info!(user_id = %user, count, "a deleted account's messages are tombstones")
                }
                Err(error) => {
                    tracing::warn!(user_id = %user, %error, "a deleted account's messages could not all be tombstoned")
                }
            }
        });
        Ok(())
    }

    /// Deletes every message `caller` sent, as they would one by one; how many.
    async fn tombstone_messages_of(&self, caller: Caller) -> Result<usize, AppError> {
        let mut count = 0;
        let mut after: Option<MessageId> = None;
        loop {
            let page = self
                .store
                .messages_by_sender(caller.user_id, after, PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(count);
            };
            after = Some(last.id);
            for message in page {
                match self
                    .messages
                    .delete(caller, message.conversation_id, message.id)
                    .await
                {
                    // Gone meanwhile, or a conversation the person no longer sees.
                    Ok(_) | Err(AppError::NotFound(_)) => count += 1,
                    Err(error) => return Err(error),
                }
            }
        }
    }
}

/// The username of a deleted account: unique (from its id), and never a name anyone chose.
fn deleted_username(user: UserId) -> Username {
    let id = user.as_uuid().simple().to_string();
    let tail = id.get(id.len().saturating_sub(24)..).unwrap_or(&id);
    Username::from_trusted(format!("{}{tail}", Username::DELETED_PREFIX))
}
