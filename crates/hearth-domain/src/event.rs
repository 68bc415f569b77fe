//! The conversation log: every change a client must apply, numbered by `seq`.
//!
//! Events about a message carry the message *as it is now*, not as it was when the event was
//! logged: a deleted message's content is gone from every event, and a client that replaces
//! its copy of a message with each one it receives, in `seq` order, ends with the server's
//! copy, whatever it missed. A message's `thread` tells the client to update the thread's
//! root as well.

use serde::{Deserialize, Serialize};

use crate::{ConversationId, Emoji, Message, Permissions, Role, Seq, Settings, Timestamp, UserId};

/// One entry of a conversation's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEvent {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its place in the log.
    pub seq: Seq,
    /// Who caused it.
    pub actor_id: UserId,
    /// When it happened.
    pub created_at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// What an event of the log records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// The conversation was created with these members.
    ConversationCreated {
        /// Its first members.
        member_ids: Vec<UserId>,
    },
    /// A message was sent; carries the message as it is now.
    NewMessage(Message),
    /// Its author edited a message; carries the message as it is now.
    MessageEdited(Message),
    /// A message was deleted; carries its tombstone.
    MessageDeleted(Message),
    /// The event's actor reacted to a message with `emoji`.
    ReactionAdded {
        /// The message as it is now.
        message: Message,
        /// The emoji.
        emoji: Emoji,
    },
    /// The event's actor took back their `emoji` reaction to a message.
    ReactionRemoved {
        /// The message as it is now.
        message: Message,
        /// The emoji.
        emoji: Emoji,
    },
    /// `user_id` became a member: joined by themselves (the actor), or added or approved by
    /// the actor.
    MemberJoined {
        /// The new member.
        user_id: UserId,
        /// Their role.
        role: Role,
        /// Their permissions.
        permissions: Permissions,
    },
    /// `user_id` left by themselves.
    MemberLeft {
        /// The former member.
        user_id: UserId,
    },
    /// The actor removed `user_id`.
    MemberRemoved {
        /// The former member.
        user_id: UserId,
    },
    /// The actor changed the role or permissions of `user_id`.
    MemberUpdated {
        /// The member.
        user_id: UserId,
        /// Their role now.
        role: Role,
        /// Their permissions now.
        permissions: Permissions,
    },
    /// The owner (the actor) handed ownership to `user_id` and became an admin.
    OwnershipTransferred {
        /// The new owner.
        user_id: UserId,
    },
    /// The actor changed the settings; carries all of them as they are now.
    SettingsChanged(Settings),
    /// The owner (the actor) deleted the conversation. It is the last event of its log.
    ConversationDeleted,
}

impl EventKind {
    /// The stable name used in storage and on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ConversationCreated { .. } => "conversation_created",
            Self::NewMessage(_) => "new_message",
            Self::MessageEdited(_) => "message_updated",
            Self::MessageDeleted(_) => "message_deleted",
            Self::ReactionAdded { .. } => "reaction_added",
            Self::ReactionRemoved { .. } => "reaction_removed",
            Self::MemberJoined { .. } => "member_joined",
            Self::MemberLeft { .. } => "member_left",
            Self::MemberRemoved { .. } => "member_removed",
            Self::MemberUpdated { .. } => "member_updated",
            Self::OwnershipTransferred { .. } => "ownership_transferred",
            Self::SettingsChanged(_) => "conversation_updated",
            Self::ConversationDeleted => "conversation_deleted",
        }
    }

    /// The message this event is about, as it is now (`None`: not about a message).
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::ConversationCreated { .. }
            | Self::MemberJoined { .. }
            | Self::MemberLeft { .. }
            | Self::MemberRemoved { .. }
            | Self::MemberUpdated { .. }
            | Self::OwnershipTransferred { .. }
            | Self::SettingsChanged(_)
            | Self::ConversationDeleted => None,
            Self::NewMessage(message)
            | Self::MessageEdited(message)
            | Self::MessageDeleted(message)
            | Self::ReactionAdded { message, .. }
            | Self::ReactionRemoved { message, .. } => Some(message),
        }
    }

    /// The user whose membership this event is about, if any.
    pub fn member(&self) -> Option<UserId> {
        match self {
            Self::MemberJoined { user_id, .. }
            | Self::MemberLeft { user_id }
            | Self::MemberRemoved { user_id }
            | Self::MemberUpdated { user_id, .. }
            | Self::OwnershipTransferred { user_id } => Some(*user_id),
            _ => None,
        }
    }
}
