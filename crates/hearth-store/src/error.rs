//! The one error type of every storage port, and the typed reasons it carries.
//!
//! A conflict and a missing row are named by an enum ([`ConflictKind`], [`Missing`]), never by
//! a string: use cases match on the reason to word it for the user, and every adapter turns
//! its backend's errors (a broken unique index, a broken foreign key, an update that matched
//! no row) into the same reason inside the adapter. A new reason is a new variant here, so an
//! adapter that does not produce it fails the conformance suite rather than a use case at run
//! time.

/// Why a store operation failed, in domain terms. Adapters translate driver errors into these
/// variants; a caller never sees a driver type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A uniqueness rule or a state rule of the operation was broken: what clashed.
    #[error("conflict: {0}")]
    Conflict(ConflictKind),
    /// A row the operation relies on does not exist: which.
    #[error("not found: {0}")]
    NotFound(Missing),
    /// The database cannot serve now (busy, shutting down, disk full); retrying later may work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else the backend reported (including a stored value it cannot read back).
    /// The source carries the detail for the log.
    #[error("store backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend error.
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
}

/// What clashed when a write was refused with [`StoreError::Conflict`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ConflictKind {
    /// `create_user`: another account has this username (compared case-insensitively).
    #[error("username")]
    UsernameTaken,
    /// `create_user`: another account has this e-mail address.
    #[error("email")]
    EmailTaken,
    /// `send_message`: the sender already used this `client_message_id` for a message with
    /// other content, another reply target or in another conversation.
    #[error("client_message_id")]
    IdempotencyKeyReused,
    /// `add_member`, `approve_join_request`, `request_join`: the user already is a member.
    #[error("member")]
    AlreadyMember,
    /// `request_join`: the user already has a request waiting for approval.
    #[error("join_request")]
    JoinRequestPending,
    /// `transfer_ownership`: the one handing ownership over is not (or no longer) the owner,
    /// or hands it to themself.
    #[error("owner")]
    NotOwner,
    /// `create_conversation`, `update_settings`: a room or channel that is not deleted already
    /// has this public name (compared case-folded).
    #[error("title")]
    RoomNameTaken,
    /// `create_conversation` was asked for a direct conversation: those are unique per pair
    /// and only `get_or_create_direct` makes them.
    #[error("kind")]
    DirectConversation,
    /// `edit_message`, `add_reaction`: the message is a tombstone.
    #[error("message_deleted")]
    MessageDeleted,
    /// `add_reaction`: the message already carries the most different emoji it may.
    #[error("reactions")]
    TooManyReactions,
    /// `link_external_identity`, `create_user_with_identity`: the provider's subject is linked
    /// to an account already, or the account already has an identity of that provider.
    #[error("identity")]
    IdentityLinked,
}

impl ConflictKind {
    /// A stable snake_case name of the reason, for logs and messages (its `Display`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UsernameTaken => "username",
            Self::EmailTaken => "email",
            Self::IdempotencyKeyReused => "client_message_id",
            Self::AlreadyMember => "member",
            Self::JoinRequestPending => "join_request",
            Self::NotOwner => "owner",
            Self::RoomNameTaken => "title",
            Self::DirectConversation => "kind",
            Self::MessageDeleted => "message_deleted",
            Self::TooManyReactions => "reactions",
            Self::IdentityLinked => "identity",
        }
    }
}

/// Which row an operation relies on was missing when it failed with [`StoreError::NotFound`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Missing {
    /// A user the operation names does not exist (a new member, a creator, someone blocked,
    /// whose privacy settings are read or written).
    #[error("user")]
    User,
    /// The conversation does not exist or was deleted (a deletion is the last event of its
    /// log: nothing is written to it after).
    #[error("conversation")]
    Conversation,
    /// The user is not a member of the conversation (removed, updated, given ownership, or
    /// moving a marker).
    #[error("member")]
    Member,
    /// There is no pending request to join from this user (approving one).
    #[error("join_request")]
    JoinRequest,
    /// The message does not exist in the conversation (edited, deleted, reacted to).
    #[error("message")]
    Message,
    /// `send_message`: the message a reply answers is not a message of the conversation.
    #[error("reply_to")]
    ReplyTarget,
    /// The media record does not exist, or is not pending any more (confirming it).
    #[error("media")]
    Media,
}

impl Missing {
    /// A stable snake_case name of what is missing, for logs and messages (its `Display`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Conversation => "conversation",
            Self::Member => "member",
            Self::JoinRequest => "join_request",
            Self::Message => "message",
            Self::ReplyTarget => "reply_to",
            Self::Media => "media",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_displays_as_its_stable_name() {
        let conflicts = [
            ConflictKind::UsernameTaken,
            ConflictKind::EmailTaken,
            ConflictKind::IdempotencyKeyReused,
            ConflictKind::AlreadyMember,
            ConflictKind::JoinRequestPending,
            ConflictKind::NotOwner,
            ConflictKind::RoomNameTaken,
            ConflictKind::DirectConversation,
            ConflictKind::MessageDeleted,
            ConflictKind::TooManyReactions,
        ];
        for kind in conflicts {
            assert_eq!(kind.to_string(), kind.as_str());
        }
        let missing = [
            Missing::User,
            Missing::Conversation,
            Missing::Member,
            Missing::JoinRequest,
            Missing::Message,
            Missing::ReplyTarget,
            Missing::Media,
        ];
        for what in missing {
            assert_eq!(what.to_string(), what.as_str());
        }
    }
}
