//! The conversation log: every change a client must apply, numbered by `seq`.

use crate::{ConversationId, Message, Seq, Timestamp, UserId};

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
}

impl EventKind {
    /// The stable name used in storage and on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ConversationCreated { .. } => "conversation_created",
            Self::NewMessage(_) => "new_message",
        }
    }
}
