//! The end of an account on the wire: `GET /v1/users/me/export` and `DELETE /v1/users/me`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::{
    BlockedUserDto, ConversationDto, IdentityDto, MediaDto, MessageDto, PrivacyDto, SessionDto,
    UserDto,
};

/// `DELETE /v1/users/me`: the proof that the account's owner asks.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// The account's password (required unless the account was made through an identity
    /// provider and never got one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 128)]
    pub password: Option<String>,
}

/// `GET /v1/users/me/export`: everything the server keeps about the caller.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountExportDto {
    /// When this archive was made.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: OffsetDateTime,
    /// The profile.
    pub user: UserDto,
    /// The account's e-mail address.
    pub email: Option<String>,
    /// When the address was proven.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub email_verified_at: Option<OffsetDateTime>,
    /// The signed-in sessions.
    pub sessions: Vec<SessionDto>,
    /// The linked identity providers.
    pub identities: Vec<IdentityDto>,
    /// The privacy settings.
    pub privacy: PrivacyDto,
    /// The people blocked.
    pub blocked: Vec<BlockedUserDto>,
    /// The conversations the account is a member of.
    pub conversations: Vec<ConversationDto>,
    /// Every message the account sent that is not deleted, oldest first.
    pub messages: Vec<MessageDto>,
    /// Every file the account uploaded, oldest first: the records (the bytes download at
    /// `GET /v1/media/{id}/content`).
    pub uploads: Vec<MediaDto>,
}
