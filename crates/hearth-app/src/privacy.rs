//! Privacy and blocking (seed 001's consent): who may start a direct conversation with the
//! caller or add them to a conversation, and whom they blocked.
//!
//! The effects of a block are enforced where the actions are: starting or posting in a direct
//! conversation and adding someone (`ConversationService`), and mentions (`MessageService`).

use hearth_domain::{Consent, Privacy, UserId, ValidationErrors};
use hearth_store::{BlockedUser, DynStore};

use crate::blocks::Blocks;
use crate::{AppError, Caller, now};

/// A change of privacy settings: absent fields keep their value.
#[derive(Clone, Debug, Default)]
pub struct PrivacyInput {
    /// `everyone`, `shared_conversations` or `nobody`.
    pub direct_messages: Option<String>,
    /// `everyone`, `shared_conversations` or `nobody`.
    pub group_invites: Option<String>,
}

/// The privacy use cases.
#[derive(Clone, Debug)]
pub struct PrivacyService {
    store: DynStore,
    blocks: Blocks,
}

fn parse_consent(field: &str, raw: Option<&str>) -> Result<Option<Consent>, ValidationErrors> {
    raw.map(|raw| {
        Consent::parse(raw.trim()).ok_or_else(|| {
            ValidationErrors::field(field, "must be everyone, shared_conversations or nobody")
        })
    })
    .transpose()
}

impl PrivacyService {
    pub(crate) fn new(store: DynStore, blocks: Blocks) -> Self {
        Self { store, blocks }
    }

    /// The caller's settings.
    pub async fn get(&self, caller: Caller) -> Result<Privacy, AppError> {
        Ok(self.store.privacy(caller.user_id).await?)
    }

    /// Changes the caller's settings; returns them as they are now.
    pub async fn update(&self, caller: Caller, input: PrivacyInput) -> Result<Privacy, AppError> {
        let mut errors = ValidationErrors::default();
        let direct = errors
            .check(parse_consent(
                "direct_messages",
                input.direct_messages.as_deref(),
            ))
            .flatten();
        let invites = errors
            .check(parse_consent(
                "group_invites",
                input.group_invites.as_deref(),
            ))
            .flatten();
        errors.into_result()?;
        let current = self.store.privacy(caller.user_id).await?;
        let privacy = Privacy {
            direct_messages: direct.unwrap_or(current.direct_messages),
            group_invites: invites.unwrap_or(current.group_invites),
        };
        if privacy != current {
            self.store.set_privacy(caller.user_id, privacy).await?;
        }
        Ok(privacy)
    }

    /// Blocks a user; returns whether the block is new.
    pub async fn block(&self, caller: Caller, user: &str) -> Result<bool, AppError> {
        let user: UserId = user
            .trim()
            .parse()
            .map_err(|_| ValidationErrors::field("user_id", "must be a user id (UUID)"))?;
        if user == caller.user_id {
            return Err(ValidationErrors::field("user_id", "you cannot block yourself").into());
        }
        let new = self.store.block(caller.user_id, user, now()).await?;
        self.blocks.forget(caller.user_id, user);
        Ok(new)
    }

    /// Lifts a block (404 when there is none).
    pub async fn unblock(&self, caller: Caller, user: &str) -> Result<(), AppError> {
        let user: UserId = user
            .trim()
            .parse()
            .map_err(|_| AppError::NotFound("block"))?;
        if self.store.unblock(caller.user_id, user).await? {
            self.blocks.forget(caller.user_id, user);
            Ok(())
        } else {
            Err(AppError::NotFound("block"))
        }
    }

    /// Everyone the caller blocked, most recent first.
    pub async fn blocked(&self, caller: Caller) -> Result<Vec<BlockedUser>, AppError> {
        Ok(self.store.blocked_users(caller.user_id).await?)
    }
}
