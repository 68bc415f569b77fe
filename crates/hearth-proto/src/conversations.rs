//! Conversations on the wire.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::UserDto;

/// What a member may do (seed 001's `ParticipantPermissions`). Owners and admins hold every
/// permission, and `is_admin` says so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PermissionsDto {
    /// May post messages.
    pub can_send_messages: bool,
    /// May add and remove members and answer join requests.
    pub can_manage_participants: bool,
    /// May change the title, description and settings.
    pub can_change_settings: bool,
    /// May delete other people's messages.
    pub can_delete_messages: bool,
    /// May mute and unmute ordinary members.
    pub can_moderate_content: bool,
    /// Whether the member is an owner or admin (follows the role).
    pub is_admin: bool,
}

/// One member of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MemberDto {
    /// The member.
    pub user: UserDto,
    /// `owner`, `admin` or `member`.
    pub role: String,
    /// What they may do (owners and admins: everything).
    pub permissions: PermissionsDto,
    /// When they joined (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: OffsetDateTime,
    /// The last seq that reached one of their devices.
    #[serde(default)]
    pub last_delivered_seq: i64,
    /// The last seq they read.
    #[serde(default)]
    pub last_read_seq: i64,
}

/// A conversation as the caller sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConversationDto {
    /// The conversation's id.
    pub id: Uuid,
    /// `direct`, `group`, `room` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name (`null` for a direct conversation).
    pub title: Option<String>,
    /// What it is about (may be empty).
    pub description: String,
    /// Whether joining takes a request that a manager approves.
    pub require_approval: bool,
    /// `all`, `member_join_date` or `none`: how much history from before their join a member
    /// sees.
    pub history_visibility: String,
    /// Who created it.
    pub created_by: Uuid,
    /// How many members it has.
    pub member_count: i64,
    /// Everyone in it, or `null` for a conversation with more than 100 members (page them with
    /// `GET /v1/conversations/{id}/members`).
    pub members: Option<Vec<MemberDto>>,
    /// The caller's role.
    pub my_role: String,
    /// What the caller may do here.
    pub my_permissions: PermissionsDto,
    /// When it was created (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// The first line of the latest message.
    pub last_message_preview: Option<String>,
    /// When the latest message was sent.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_message_at: Option<OffsetDateTime>,
    /// The seq of the latest event: a sync cursor that is current.
    pub last_seq: i64,
    /// The caller's read marker.
    pub last_read_seq: i64,
    /// Messages from others after the caller's read marker.
    pub unread_count: i64,
}

/// `GET /v1/conversations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConversationList {
    /// The caller's conversations, most recently active first.
    pub conversations: Vec<ConversationDto>,
}

/// `POST /v1/conversations/direct`: the other person, by exactly one of id, username or
/// e-mail address.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectRequest {
    /// The other person's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_user_id: Option<String>,
    /// Or their username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Or their e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `POST /v1/conversations/{id}/delivered`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkDeliveredRequest {
    /// Everything up to and including this seq reached a device.
    #[serde(deserialize_with = "crate::strict::integer")]
    pub seq: i64,
}

/// The caller's delivered marker after moving it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveredMarker {
    /// The conversation.
    pub conversation_id: Uuid,
    /// The marker now (markers never move back).
    pub last_delivered_seq: i64,
}

/// `POST /v1/conversations/{id}/read`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Everything up to and including this seq has been read.
    #[serde(deserialize_with = "crate::strict::integer")]
    pub seq: i64,
}

/// The caller's read state after moving the marker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReadMarker {
    /// The conversation.
    pub conversation_id: Uuid,
    /// The marker now (markers never move back).
    pub last_read_seq: i64,
    /// Messages from others after it.
    pub unread_count: i64,
}
