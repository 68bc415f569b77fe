//! Groups, public rooms and channels on the wire: creation, settings, members, roles, join
//! requests and discovery.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{MemberDto, UserDto};

/// `POST /v1/conversations`: a group, room or channel owned by the caller.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversationRequest {
    /// `group`, `room` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name: 1–100 characters for a group; 3–50 for a room or channel, unique
    /// case-insensitively among rooms and channels.
    pub title: Option<String>,
    /// What it is about (at most 500 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// The other first members (at most 200), each accepting being added by the caller.
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// Whether joining takes a request that a manager approves (default false).
    #[serde(default)]
    pub require_approval: Option<bool>,
    /// `all` (default), `member_join_date` or `none`. Seed 001's name for it,
    /// `message_history_visibility`, is accepted too.
    #[serde(default, alias = "message_history_visibility")]
    pub history_visibility: Option<String>,
}

/// `PATCH /v1/conversations/{id}`: settings to change; absent fields keep their value (seed
/// 001's `GroupSettingsInput`, with the name as `title`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettingsRequest {
    /// The new name.
    #[serde(default)]
    pub title: Option<String>,
    /// The new description (empty clears it).
    #[serde(default)]
    pub description: Option<String>,
    /// Whether joining takes an approved request.
    #[serde(default)]
    pub require_approval: Option<bool>,
    /// `all`, `member_join_date` or `none`. Seed 001's name for it,
    /// `message_history_visibility`, is accepted too.
    #[serde(default, alias = "message_history_visibility")]
    pub history_visibility: Option<String>,
}

/// `POST /v1/conversations/{id}/members`: whom to add, by exactly one of id, username or
/// e-mail address.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Or their username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Or their e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Permissions to change; absent ones keep their value. `is_admin` follows the role, so it
/// is not one of them (set `role` instead).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsPatchDto {
    /// May post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_send_messages: Option<bool>,
    /// May add and remove members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_manage_participants: Option<bool>,
    /// May change settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_change_settings: Option<bool>,
    /// May delete others' messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_delete_messages: Option<bool>,
    /// May mute and unmute members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_moderate_content: Option<bool>,
}

/// `PATCH /v1/conversations/{id}/members/{user_id}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    /// `admin` or `member` (ownership moves by transfer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Permissions of an ordinary member.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict::object"
    )]
    pub permissions: Option<PermissionsPatchDto>,
}

/// `POST /v1/conversations/{id}/transfer` (seed 001 `transferAdmin`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The member who becomes the owner.
    pub user_id: String,
}

/// `GET /v1/conversations/{id}/members`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MemberList {
    /// Members in join order.
    pub members: Vec<MemberDto>,
    /// Whether more follow (ask again with `offset` + the count received).
    pub has_more: bool,
}

/// A pending request to join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JoinRequestDto {
    /// The conversation.
    pub conversation_id: Uuid,
    /// Who asks.
    pub user: UserDto,
    /// When they asked (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// `GET /v1/conversations/{id}/join-requests`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JoinRequestList {
    /// Pending requests, oldest first.
    pub join_requests: Vec<JoinRequestDto>,
}

/// A public room or channel as discovery lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicConversationDto {
    /// Its id.
    pub id: Uuid,
    /// `room` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its unique name.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// How many members it has.
    pub member_count: i64,
    /// Whether joining takes an approved request.
    pub require_approval: bool,
    /// Whether the caller is a member.
    pub joined: bool,
    /// When it was created (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// `GET /v1/conversations/discover`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiscoverList {
    /// Public rooms and channels, by name.
    pub conversations: Vec<PublicConversationDto>,
    /// Pass back as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// `GET /v1/users/me/privacy` (and the answer of `PUT`): whom the caller accepts things
/// from — each `everyone`, `shared_conversations` or `nobody`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrivacyDto {
    /// Who may start a direct conversation with the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_messages: Option<String>,
    /// Who may add the caller to a group, room or channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_invites: Option<String>,
}

/// `PUT /v1/users/me/privacy`: the settings to change, each `everyone`,
/// `shared_conversations` or `nobody`; absent fields keep their value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePrivacyRequest {
    /// Who may start a direct conversation with the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_messages: Option<String>,
    /// Who may add the caller to a group, room or channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_invites: Option<String>,
}

/// `POST /v1/users/me/blocks`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// Whom to block.
    pub user_id: String,
}

/// A user the caller blocked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockedUserDto {
    /// The user.
    pub user: UserDto,
    /// Since when (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub since: OffsetDateTime,
}

/// `GET /v1/users/me/blocks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockList {
    /// Blocked users, most recent first.
    pub blocked: Vec<BlockedUserDto>,
}
