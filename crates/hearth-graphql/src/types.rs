//! Seed 001's object types, enums and input, rendered from the domain's values.
//!
//! Type, field, argument and enum names are seed 001's, verbatim; Hearth adds optional fields
//! (`Message.seq`, `Conversation.kind`, …) and never renames. Each object wraps what a use case
//! returned; a field that needs more than that (a message's sender, a conversation's page of
//! messages) asks the use cases again, through the request's loader when many rows ask the
//! same thing. This module must never decide who may see what: the values it renders are
//! what the use cases let the caller see.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use hearth_app::realtime::UserRef;
use hearth_domain::{
    ConversationKind, ConversationSummary, DeliveryStatus, HistoryVisibility, MemberMarker,
    Message, Role, Timestamp, UserId,
};

use crate::context::{Shared, caller};
use crate::error::error;
use crate::loader::UserLoader;
use crate::paging;

/// A person, as every face names them.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "User")]
pub(crate) struct GqlUser {
    /// Their id.
    pub id: ID,
    /// Their login name (unique, lower case).
    pub username: String,
    /// The name to show (the username when they chose none).
    pub display_name: String,
}

impl From<&UserRef> for GqlUser {
    fn from(user: &UserRef) -> Self {
        Self {
            id: ID(user.id.to_string()),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
        }
    }
}

impl From<&hearth_domain::User> for GqlUser {
    fn from(user: &hearth_domain::User) -> Self {
        Self::from(&UserRef::from(user))
    }
}

/// How far a message has got (seed 001's delivery status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub(crate) enum MessageStatus {
    /// Stored on the server.
    Sent,
    /// On a device of every other member.
    Delivered,
    /// Read by every other member.
    Read,
}

impl From<DeliveryStatus> for MessageStatus {
    fn from(status: DeliveryStatus) -> Self {
        match status {
            DeliveryStatus::Sent => Self::Sent,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Read => Self::Read,
        }
    }
}

/// Who sees a group's history (seed 001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub(crate) enum MessageHistoryVisibility {
    /// Everything, whenever they joined.
    All,
    /// From their first join on.
    MemberJoinDate,
    /// From their latest join on.
    None,
}

impl MessageHistoryVisibility {
    /// The app's name of the setting.
    pub(crate) fn as_app(self) -> &'static str {
        match self {
            Self::All => HistoryVisibility::All.as_str(),
            Self::MemberJoinDate => HistoryVisibility::MemberJoinDate.as_str(),
            Self::None => HistoryVisibility::None.as_str(),
        }
    }
}

impl From<HistoryVisibility> for MessageHistoryVisibility {
    fn from(visibility: HistoryVisibility) -> Self {
        match visibility {
            HistoryVisibility::All => Self::All,
            HistoryVisibility::MemberJoinDate => Self::MemberJoinDate,
            HistoryVisibility::None => Self::None,
        }
    }
}

/// Thumbnail sizes (seed 001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub(crate) enum ThumbnailSize {
    /// At most 160 px a side.
    Small,
    /// At most 480 px a side.
    Medium,
    /// At most 1280 px a side.
    Large,
}

impl From<ThumbnailSize> for hearth_domain::ThumbnailSize {
    fn from(size: ThumbnailSize) -> Self {
        match size {
            ThumbnailSize::Small => Self::Small,
            ThumbnailSize::Medium => Self::Medium,
            ThumbnailSize::Large => Self::Large,
        }
    }
}

impl From<hearth_domain::ThumbnailSize> for ThumbnailSize {
    fn from(size: hearth_domain::ThumbnailSize) -> Self {
        match size {
            hearth_domain::ThumbnailSize::Small => Self::Small,
            hearth_domain::ThumbnailSize::Medium => Self::Medium,
            hearth_domain::ThumbnailSize::Large => Self::Large,
        }
    }
}

/// A change of a group's settings (seed 001); an absent field keeps its value.
#[derive(Clone, Debug, InputObject)]
pub(crate) struct GroupSettingsInput {
    /// The new name.
    pub name: Option<String>,
    /// The new description (empty clears it).
    pub description: Option<String>,
    /// Whether joining takes an approved request.
    pub require_approval: Option<bool>,
    /// Who sees the history.
    pub message_history_visibility: Option<MessageHistoryVisibility>,
}

/// One emoji on a message: how many reacted with it, and whether the caller did.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "Reaction")]
pub(crate) struct GqlReaction {
    /// The message.
    pub message_id: ID,
    /// The emoji.
    pub reaction_type: String,
    /// How many members reacted with it.
    pub count: i32,
    /// Whether the caller is one of them.
    pub reacted_by_me: bool,
}

impl GqlReaction {
    pub(crate) fn of(
        message: &Message,
        reaction: &hearth_domain::Reaction,
        viewer: UserId,
    ) -> Self {
        Self {
            message_id: ID(message.id.to_string()),
            reaction_type: reaction.emoji.as_str().to_owned(),
            count: i32::try_from(reaction.count()).unwrap_or(i32::MAX),
            reacted_by_me: reaction.user_ids.contains(&viewer),
        }
    }
}

/// Whether a user is connected (seed 001's `UserPresence`).
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct UserPresence {
    /// Who.
    pub user_id: ID,
    /// Whether any of their devices is connected.
    pub online: bool,
    /// When their last connection ended, once offline.
    pub last_seen_at: Option<Timestamp>,
}

/// A thumbnail of a medium.
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct ThumbnailReference {
    /// Its id.
    pub id: ID,
    /// Its size.
    pub size: ThumbnailSize,
    /// Where it is stored.
    pub storage_location: String,
}

/// A stored medium (seed 001's `MediaReference`).
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct MediaReference {
    /// Its id.
    pub id: ID,
    /// Its kind (`image`, `document`, …).
    pub media_type: String,
    /// Where it is stored: the path its bytes are downloaded from (with the bearer token).
    pub storage_location: String,
    /// Its thumbnail, once made.
    pub thumbnail: Option<ThumbnailReference>,
    /// The name it is offered under (Hearth's addition).
    pub file_name: String,
    /// Its content type as sniffed from its bytes (Hearth's addition).
    pub content_type: Option<String>,
    /// Its size in bytes (Hearth's addition; a string: sizes may pass `Int`'s 32 bits).
    pub size: Option<String>,
}

impl MediaReference {
    /// `media` with its thumbnail of `size`, if it was made.
    pub(crate) fn with_thumbnail(
        media: &hearth_domain::Media,
        size: hearth_domain::ThumbnailSize,
    ) -> Self {
        let thumbnail = media
            .thumbnails
            .iter()
            .flatten()
            .find(|t| t.size == size)
            .map(|t| ThumbnailReference {
                id: ID(format!("{}/{}", media.id, t.size)),
                size: t.size.into(),
                storage_location: format!("/v1/media/{}/thumbnails/{}", media.id, t.size),
            });
        Self {
            id: ID(media.id.to_string()),
            media_type: media.kind().as_str().to_owned(),
            storage_location: format!("/v1/media/{}/content", media.id),
            thumbnail,
            file_name: media.file_name.as_str().to_owned(),
            content_type: media.content_type.clone(),
            size: media.size.map(|size| size.to_string()),
        }
    }
}

impl From<&hearth_domain::Media> for MediaReference {
    /// With its medium thumbnail: the one a timeline shows.
    fn from(media: &hearth_domain::Media) -> Self {
        Self::with_thumbnail(media, hearth_domain::ThumbnailSize::Medium)
    }
}

/// A message as the caller sees it, with its delivery status computed when it was read.
#[derive(Clone, Debug)]
pub(crate) struct GqlMessage {
    pub message: Message,
    pub status: DeliveryStatus,
    /// The caller, for `reactedByMe`.
    pub viewer: UserId,
    /// The sender, when whoever read the message already knew them (no read needed).
    pub sender: Option<GqlUser>,
}

impl GqlMessage {
    /// A message read with the members' markers, for its status.
    pub(crate) fn read(message: Message, markers: &[MemberMarker], viewer: UserId) -> Self {
        let status = DeliveryStatus::of(message.sender_id, message.seq, markers);
        Self {
            message,
            status,
            viewer,
            sender: None,
        }
    }

    /// A message just sent or just delivered: stored, not yet further.
    pub(crate) fn fresh(message: Message, viewer: UserId, sender: Option<GqlUser>) -> Self {
        Self {
            message,
            status: DeliveryStatus::Sent,
            viewer,
            sender,
        }
    }
}

#[Object(name = "Message")]
impl GqlMessage {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.message.id.to_string())
    }

    /// The text; empty once deleted (see `deleted`).
    async fn content(&self) -> &str {
        self.message.text().unwrap_or("")
    }

    /// Who sent it.
    async fn sender(&self, ctx: &Context<'_>) -> async_graphql::Result<GqlUser> {
        if let Some(sender) = &self.sender {
            return Ok(sender.clone());
        }
        let loader = ctx.data::<DataLoader<UserLoader>>()?;
        let Ok(found) = loader.load_one(self.message.sender_id).await;
        // An account the store no longer names still sent it: named by its id.
        Ok(found.unwrap_or_else(|| GqlUser {
            id: ID(self.message.sender_id.to_string()),
            username: self.message.sender_id.to_string(),
            display_name: self.message.sender_id.to_string(),
        }))
    }

    /// When the server stored it.
    async fn sent_at(&self) -> Timestamp {
        self.message.created_at
    }

    /// How far it has got.
    async fn status(&self) -> MessageStatus {
        self.status.into()
    }

    /// Its conversation.
    async fn conversation_id(&self) -> ID {
        ID(self.message.conversation_id.to_string())
    }

    /// Its place in the conversation's log (Hearth's addition).
    async fn seq(&self) -> i64 {
        self.message.seq
    }

    /// The sender's idempotency key (Hearth's addition).
    async fn client_message_id(&self) -> &str {
        self.message.client_message_id.as_str()
    }

    /// When its author last edited it.
    async fn edited_at(&self) -> Option<Timestamp> {
        self.message.edited_at
    }

    /// Whether it was deleted (a tombstone keeps its place, never its content).
    async fn deleted(&self) -> bool {
        self.message.is_deleted()
    }

    /// The message it answers, if it is a reply.
    async fn reply_to(&self) -> Option<ID> {
        self.message.reply_to.map(|id| ID(id.to_string()))
    }

    /// The files it carries, in the order sent (none on a tombstone; Hearth's addition).
    async fn attachments(&self) -> Vec<MediaReference> {
        self.message
            .attachments
            .iter()
            .map(MediaReference::from)
            .collect()
    }

    /// Its reactions, one per emoji.
    async fn reactions(&self) -> Vec<GqlReaction> {
        self.message
            .reactions
            .iter()
            .map(|r| GqlReaction::of(&self.message, r, self.viewer))
            .collect()
    }
}

/// One message of a page, with the cursor that pages after it.
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct MessageEdge {
    /// Pass as `after` to read the messages that follow this one.
    pub cursor: String,
    /// The message.
    pub node: GqlMessage,
}

/// Relay's page information.
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct PageInfo {
    /// Whether more messages follow the page.
    pub has_next_page: bool,
    /// The last edge's cursor.
    pub end_cursor: Option<String>,
}

/// A page of a conversation's messages, oldest first (a Relay connection).
#[derive(Clone, Debug, SimpleObject)]
pub(crate) struct MessageConnection {
    /// The messages.
    pub edges: Vec<MessageEdge>,
    /// Whether more follow, and where.
    pub page_info: PageInfo,
}

/// A conversation as the caller sees it in their list.
#[derive(Clone, Debug)]
pub(crate) struct GqlConversation {
    pub summary: ConversationSummary,
}

#[Object(name = "Conversation")]
impl GqlConversation {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.summary.conversation.id.to_string())
    }

    /// Everyone in it (the first 100 of a larger one, in join order).
    async fn participants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GqlUser>> {
        if let Some(members) = &self.summary.members {
            return Ok(members.iter().map(|m| GqlUser::from(&m.user)).collect());
        }
        // Too many to list with the summary: the first page of its members.
        let shared = ctx.data::<Shared>()?;
        let (members, _) = shared
            .app
            .conversations
            .members(
                caller(ctx)?,
                self.summary.conversation.id,
                None,
                Some(ConversationSummary::MEMBER_LIST_LIMIT),
            )
            .await
            .map_err(error)?;
        Ok(members.iter().map(|m| GqlUser::from(&m.user)).collect())
    }

    /// A page of its messages, oldest first: the first `first` (1–100, default 50) after the
    /// cursor `after` (from the start of what the caller may see without one).
    #[graphql(
        complexity = "first.unwrap_or(paging::DEFAULT_FIRST).clamp(1, 100) as usize * child_complexity"
    )]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<MessageConnection> {
        let shared = ctx.data::<Shared>()?;
        paging::page(
            &shared.app,
            caller(ctx)?,
            self.summary.conversation.id,
            first,
            after,
        )
        .await
    }

    /// Whether it is a group (a group, room or channel: anything but a direct conversation).
    async fn is_group(&self) -> bool {
        self.summary.conversation.kind != ConversationKind::Direct
    }

    /// The group's name (none for a direct conversation).
    async fn group_name(&self) -> Option<&str> {
        self.summary
            .conversation
            .settings
            .title
            .as_ref()
            .map(|t| t.as_str())
    }

    /// The latest message the caller may see.
    async fn last_message(&self) -> Option<GqlMessage> {
        let markers = self.summary.markers();
        self.summary.last_message.clone().map(|message| {
            let sender = self
                .summary
                .members
                .iter()
                .flatten()
                .find(|m| m.user.id == message.sender_id)
                .map(|m| GqlUser::from(&m.user));
            GqlMessage {
                sender,
                ..GqlMessage::read(message, &markers, self.summary.me.user_id)
            }
        })
    }

    /// `direct`, `group`, `room` or `channel` (Hearth's addition).
    async fn kind(&self) -> &'static str {
        self.summary.conversation.kind.as_str()
    }

    /// What it is about (Hearth's addition).
    async fn description(&self) -> &str {
        self.summary.conversation.settings.description.as_str()
    }

    /// Whether joining takes an approved request (Hearth's addition).
    async fn require_approval(&self) -> bool {
        self.summary.conversation.settings.require_approval
    }

    /// Who sees its history (Hearth's addition).
    async fn message_history_visibility(&self) -> MessageHistoryVisibility {
        self.summary.conversation.settings.history_visibility.into()
    }

    /// Its owner, when the summary lists its members (Hearth's addition).
    async fn owner_id(&self) -> Option<ID> {
        self.summary
            .members
            .iter()
            .flatten()
            .find(|m| m.role == Role::Owner)
            .map(|m| ID(m.user.id.to_string()))
    }

    /// How many people are in it (Hearth's addition).
    async fn member_count(&self) -> i64 {
        self.summary.conversation.member_count
    }

    /// Messages from others after the caller's read marker (Hearth's addition).
    async fn unread_count(&self) -> i64 {
        self.summary.unread_count
    }
}
