//! The conversation log: every change a client must apply, numbered by `seq`.
//!
//! Events about a message carry the message *as it is now*, not as it was when the event was
//! logged: a deleted message's content is gone from every event, and a client that replaces
//! its copy of a message with each one it receives, in `seq` order, ends with the server's
//! copy, whatever it missed. A message's `thread` tells the client to update the thread's
//! root as well.

use crate::{ConversationId, Emoji, Message, Seq, Timestamp, UserId};

/// One entry of a conversation's log.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
        }
    }

    /// The message this event is about, as it is now (`None`: not about a message).
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::ConversationCreated { .. } => None,
            Self::NewMessage(message)
            | Self::MessageEdited(message)
            | Self::MessageDeleted(message)
            | Self::ReactionAdded { message, .. }
            | Self::ReactionRemoved { message, .. } => Some(message),
        }
    }
}
