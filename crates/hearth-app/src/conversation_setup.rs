//! Groups, public rooms and channels: creating them, their settings, deleting them, and
//! discovering the public ones.
//!
//! Direct conversations are made by `ConversationService::direct`; everything here refuses
//! them. Every change is logged by the store with its own seq and announced to the members.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hearth_domain::{
    Action, Conversation, ConversationId, ConversationKind, ConversationSummary, Description,
    HistoryVisibility, Limit, Settings, Title, UserId, ValidationErrors, may_invite,
};
use hearth_store::{ConflictKind, Discovery, NewConversation, StoreError};

use crate::{AppError, Caller, ConversationService, now};

/// Most people a group can be created with in one request.
pub const MAX_INITIAL_MEMBERS: usize = 200;

/// A conversation to create, as the client asked for it.
#[derive(Clone, Debug, Default)]
pub struct CreateInput {
    /// `group`, `room` or `channel`.
    pub kind: String,
    /// Its name (required).
    pub title: Option<String>,
    /// What it is about.
    pub description: Option<String>,
    /// The other first members' ids (groups mostly; rooms and channels are joined).
    pub member_ids: Vec<String>,
    /// Whether joining takes an approved request.
    pub require_approval: Option<bool>,
    /// `all` (default), `member_join_date` or `none`.
    pub history_visibility: Option<String>,
}

/// A change of settings: absent fields keep their value.
#[derive(Clone, Debug, Default)]
pub struct SettingsInput {
    /// The new name.
    pub title: Option<String>,
    /// The new description (empty clears it).
    pub description: Option<String>,
    /// Whether joining takes an approved request.
    pub require_approval: Option<bool>,
    /// `all`, `member_join_date` or `none`.
    pub history_visibility: Option<String>,
}

/// A discovery request.
#[derive(Clone, Debug, Default)]
pub struct DiscoverInput {
    /// Text the name must contain.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

/// One public conversation in discovery.
#[derive(Clone, Debug)]
pub struct DiscoveredConversation {
    /// The conversation (with its member count).
    pub conversation: Conversation,
    /// Whether the caller is a member.
    pub joined: bool,
}

/// A page of discovery.
#[derive(Clone, Debug)]
pub struct DiscoverPage {
    /// Public rooms and channels, by name.
    pub conversations: Vec<DiscoveredConversation>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

/// Longest discovery query, in characters (a name is at most 50).
pub const MAX_QUERY_LEN: usize = 50;

fn parse_visibility(raw: Option<&str>) -> Result<Option<HistoryVisibility>, ValidationErrors> {
    raw.map(|raw| {
        HistoryVisibility::parse(raw).ok_or_else(|| {
            ValidationErrors::field(
                "history_visibility",
                "must be all, member_join_date or none",
            )
        })
    })
    .transpose()
}

/// A taken public name, worded for the user.
fn title_taken(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(ConflictKind::RoomNameTaken) => {
            AppError::Conflict("a room or channel with this name already exists".to_owned())
        }
        other => AppError::from(other),
    }
}

impl ConversationService {
    /// Creates a group, room or channel owned by the caller, with the members named (each
    /// must accept being added by the caller: `group_invites` privacy, no block).
    pub async fn create(
        &self,
        caller: Caller,
        input: CreateInput,
    ) -> Result<ConversationSummary, AppError> {
        self.count_change(caller).await?;
        let mut errors = ValidationErrors::default();
        let kind = match ConversationKind::parse(input.kind.trim()) {
            Some(ConversationKind::Direct) => {
                errors.0.extend(
                    ValidationErrors::field(
                        "type",
                        "direct conversations are made with POST /v1/conversations/direct",
                    )
                    .0,
                );
                None
            }
            Some(kind) => Some(kind),
            None => {
                errors
                    .0
                    .extend(ValidationErrors::field("type", "must be group, room or channel").0);
                None
            }
        };
        let title = match (&input.title, kind) {
            (Some(raw), Some(kind)) => errors.check(Title::parse(kind, raw)),
            (None, _) => {
                errors
                    .0
                    .extend(ValidationErrors::field("title", "is required").0);
                None
            }
            (Some(_), None) => None,
        };
        let description = errors
            .check(Description::parse(
                input.description.as_deref().unwrap_or(""),
            ))
            .unwrap_or_default();
        let visibility = errors
            .check(parse_visibility(input.history_visibility.as_deref()))
            .flatten()
            .unwrap_or_default();
        let members = errors.check(self.initial_members(caller, &input.member_ids));
        errors.into_result()?;
        let (Some(kind), Some(title), Some(members)) = (kind, title, members) else {
            return Err(AppError::BadRequest("invalid conversation".to_owned()));
        };
        for member in &members {
            self.check_invite(caller, *member).await?;
        }
        let id = ConversationId::new();
        let created = self
            .store
            .create_conversation(NewConversation {
                id,
                kind,
                settings: Settings {
                    title: Some(title),
                    description,
                    require_approval: input.require_approval.unwrap_or(false),
                    history_visibility: visibility,
                },
                created_by: caller.user_id,
                members,
                at: now(),
            })
            .await
            .map_err(title_taken)?;
        tracing::info!(conversation_id = %id, kind = kind.as_str(), "conversation created");
        self.notifier.log_event(created).await;
        self.summary(caller, id).await
    }

    /// The distinct ids of `raw` other than the caller's.
    fn initial_members(
        &self,
        caller: Caller,
        raw: &[String],
    ) -> Result<Vec<UserId>, ValidationErrors> {
        if raw.len() > MAX_INITIAL_MEMBERS {
            return Err(ValidationErrors::field(
                "member_ids",
                format!("at most {MAX_INITIAL_MEMBERS} members at creation; add more later"),
            ));
        }
        let mut ids = Vec::with_capacity(raw.len());
        for id in raw {
            let id: UserId = id.trim().parse().map_err(|_| {
                ValidationErrors::field("member_ids", format!("{id:?} is not a user id (UUID)"))
            })?;
            if id != caller.user_id && !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Passes when `user` exists and accepts being added by the caller.
    pub(crate) async fn check_invite(&self, caller: Caller, user: UserId) -> Result<(), AppError> {
        if self.store.user(user).await?.is_none() {
            return Err(AppError::NotFound("user"));
        }
        let relation = self.store.relation(caller.user_id, user).await?;
        let privacy = self.store.privacy(user).await?;
        may_invite(privacy, relation).map_err(|refusal| AppError::Forbidden(refusal.message()))
    }

    /// Changes the settings of a group, room or channel (`can_change_settings`). Nothing
    /// given changes nothing and logs nothing.
    pub async fn update_settings(
        &self,
        caller: Caller,
        id: ConversationId,
        input: SettingsInput,
    ) -> Result<ConversationSummary, AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::ChangeSettings)?;
        let kind = membership.conversation().kind;
        let current = membership.conversation().settings.clone();
        let mut errors = ValidationErrors::default();
        let title = input
            .title
            .as_deref()
            .and_then(|raw| errors.check(Title::parse(kind, raw)));
        let description = input
            .description
            .as_deref()
            .and_then(|raw| errors.check(Description::parse(raw)));
        let visibility = errors
            .check(parse_visibility(input.history_visibility.as_deref()))
            .flatten();
        errors.into_result()?;
        let settings = Settings {
            title: title.or_else(|| current.title.clone()),
            description: description.unwrap_or_else(|| current.description.clone()),
            require_approval: input.require_approval.unwrap_or(current.require_approval),
            history_visibility: visibility.unwrap_or(current.history_visibility),
        };
        if settings != current {
            let event = self
                .store
                .update_settings(id, caller.user_id, settings, now())
                .await
                .map_err(title_taken)?;
            self.committed(id, event).await;
        }
        self.summary(caller, id).await
    }

    /// Deletes a group, room or channel for everyone (the owner only). Its members hear of it
    /// once more; then it is gone from every list and read.
    pub async fn delete(&self, caller: Caller, id: ConversationId) -> Result<(), AppError> {
        self.count_change(caller).await?;
        let membership = self.member(caller, id).await?;
        membership.authorize(Action::DeleteConversation)?;
        // The members as they were: after the deletion nobody is one.
        let everyone: Vec<UserId> = membership.members().iter().map(|m| m.user_id).collect();
        let event = self
            .store
            .delete_conversation(id, caller.user_id, now())
            .await?;
        self.changed(id);
        tracing::info!(conversation_id = %id, "conversation deleted");
        self.notifier.log_event_to(event, &[], &everyone);
        for user in everyone {
            self.notifier.member_gone(id, user);
        }
        Ok(())
    }

    /// Public rooms and channels whose name contains `q`, by name, with member counts.
    pub async fn discover(
        &self,
        caller: Caller,
        input: DiscoverInput,
    ) -> Result<DiscoverPage, AppError> {
        let mut errors = ValidationErrors::default();
        let limit = errors.check(Limit::parse(input.limit));
        let query = input
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        if query
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_LEN)
        {
            errors.0.extend(
                ValidationErrors::field("q", format!("must be at most {MAX_QUERY_LEN} characters"))
                    .0,
            );
        }
        errors.into_result()?;
        let limit = limit.unwrap_or(Limit::DEFAULT).get();
        let after = match input.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(decode_cursor(raw).ok_or_else(|| {
                AppError::BadRequest("cursor is malformed; pass a next_cursor back".to_owned())
            })?),
        };
        let mut found = self
            .store
            .discover(Discovery {
                viewer: caller.user_id,
                query,
                after,
                limit: limit + 1,
            })
            .await?;
        let has_more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| found.last())
            .flatten()
            .and_then(|last| last.conversation.settings.title.as_ref())
            .map(|title| URL_SAFE_NO_PAD.encode(title.unique_key()));
        Ok(DiscoverPage {
            conversations: found
                .into_iter()
                .map(|d| DiscoveredConversation {
                    conversation: d.conversation,
                    joined: d.joined,
                })
                .collect(),
            next_cursor,
        })
    }
}

/// The name key a discovery cursor carries.
fn decode_cursor(raw: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    String::from_utf8(bytes).ok()
}
