//! Conversations on the wire.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::UserDto;

/// One member of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MemberDto {
    /// The member.
    pub user: UserDto,
    /// `owner`, `admin` or `member`.
    pub role: String,
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
    /// `direct` (groups, rooms and channels come later).
    #[serde(rename = "type")]
    pub kind: String,
    /// Everyone in it.
    pub members: Vec<MemberDto>,
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

/// `POST /v1/conversations/direct`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DirectRequest {
    /// The other person.
    pub other_user_id: String,
}

/// `POST /v1/conversations/{id}/delivered`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MarkDeliveredRequest {
    /// Everything up to and including this seq reached a device.
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
pub struct MarkReadRequest {
    /// Everything up to and including this seq has been read.
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
