//! Sync on the wire: bootstrap and incremental changes (seed 000).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{ConversationDto, MessageDto, PermissionsDto, ThreadDto, UserDto};

/// `GET /v1/sync/bootstrap`: everything a fresh client needs to draw its first screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Bootstrap {
    /// The caller.
    pub me: UserDto,
    /// The caller's conversations, most recently active first; each carries `last_seq`, the
    /// cursor to continue from with `changes`.
    pub conversations: Vec<ConversationDto>,
    /// The latest messages of each conversation, oldest first, keyed by conversation id.
    pub recent_messages: BTreeMap<Uuid, Vec<MessageDto>>,
}

/// One event of a conversation's log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeEvent {
    /// Its place in the log.
    pub seq: i64,
    /// `conversation_created`, `new_message`, `message_updated`, `message_deleted`,
    /// `reaction_added`, `reaction_removed`, `member_joined`, `member_left`,
    /// `member_removed`, `member_updated`, `ownership_transferred`, `conversation_updated`
    /// or `conversation_deleted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who caused it.
    pub actor_id: Uuid,
    /// When it happened (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// For every event about a message: the whole message as it is now (a tombstone once
    /// deleted). Replace the client's copy with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageDto>,
    /// For `reaction_added` and `reaction_removed`: the emoji (the reacting member is
    /// `actor_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// For an event about a reply: its thread's counters as they are now. Put them on the
    /// client's copy of the thread's root (`thread.root_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<ThreadDto>,
    /// For `conversation_created`: the first members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_ids: Option<Vec<Uuid>>,
    /// For membership events: the member it is about (the actor is `actor_id`: equal for a
    /// self-join or a leave). For `ownership_transferred`: the new owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// For `member_joined` and `member_updated`: the member's role now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// For `member_joined` and `member_updated`: the member's permissions now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<PermissionsDto>,
    /// For `conversation_updated`: every setting as it is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsDto>,
}

/// A conversation's settings, as `conversation_updated` carries them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SettingsDto {
    /// The name.
    pub title: Option<String>,
    /// What it is about.
    pub description: String,
    /// Whether joining takes an approved request.
    pub require_approval: bool,
    /// `all`, `member_join_date` or `none`.
    pub history_visibility: String,
}

/// The changes of one conversation after the client's cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConversationChanges {
    /// The conversation.
    pub conversation_id: Uuid,
    /// Its events after the cursor, in `seq` order.
    pub events: Vec<ChangeEvent>,
    /// Whether more events follow; ask again from the last `seq`.
    pub has_more: bool,
    /// The first seq the caller may see here (history visibility). After a rejoin it can move
    /// past the client's cursor: drop copies of anything numbered before it.
    #[serde(default)]
    pub history_from: i64,
}

/// `GET /v1/sync/changes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Changes {
    /// One entry per conversation that has events after its cursor.
    pub changes: Vec<ConversationChanges>,
    /// Whether any conversation has more events.
    pub has_more: bool,
    /// Conversations named in the cursors that the caller is no longer in (left, removed, or
    /// deleted): drop them.
    #[serde(default)]
    pub gone: Vec<Uuid>,
}
