//! Changes to sent messages: edits, deletions and reactions, each logged as an event with the
//! conversation's next seq in the same transaction that makes the change.
//!
//! Who may make a change is decided by the use cases before they call these ports; the store
//! only makes the change atomically and reports a clash with the message's state (deleted
//! meanwhile, too many reactions) as a conflict. A change that would change nothing (the same
//! text again, a reaction that is already there, deleting a tombstone) logs nothing and
//! returns the message as it is, so that a client's retry is harmless.

use hearth_domain::{
    ConversationEvent, ConversationId, Emoji, Message, MessageContent, MessageId, Timestamp, UserId,
};

use crate::StoreError;

/// What a change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The change was made and logged; the event carries the message as it is now.
    Changed(ConversationEvent),
    /// Nothing needed to change; the message as it is.
    Unchanged(Message),
}

impl ChangeOutcome {
    /// The message as it is after the call.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::Changed(event) => event.kind.message(),
            Self::Unchanged(message) => Some(message),
        }
    }

    /// The event logged, if anything changed.
    pub fn event(&self) -> Option<&ConversationEvent> {
        match self {
            Self::Changed(event) => Some(event),
            Self::Unchanged(_) => None,
        }
    }
}

/// An edit, already allowed by the use case.
#[derive(Clone, Debug)]
pub struct MessageEdit {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The message.
    pub message_id: MessageId,
    /// Who edits it (its author).
    pub editor: UserId,
    /// The new text.
    pub content: MessageContent,
    /// The members the new text mentions.
    pub mentions: Vec<UserId>,
    /// The server's time of the edit.
    pub at: Timestamp,
}

/// A deletion, already allowed by the use case.
#[derive(Clone, Debug)]
pub struct MessageDeletion {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The message.
    pub message_id: MessageId,
    /// Who deletes it.
    pub deleter: UserId,
    /// The server's time of the deletion.
    pub at: Timestamp,
}

/// One member's reaction with one emoji to one message.
#[derive(Clone, Debug)]
pub struct ReactionChange {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The message.
    pub message_id: MessageId,
    /// Who reacts.
    pub user_id: UserId,
    /// With what.
    pub emoji: Emoji,
    /// The server's time of the change.
    pub at: Timestamp,
}

/// Reading one message and editing or deleting it.
#[async_trait::async_trait]
pub trait MessageEditStore: Send + Sync {
    /// The message `id` of `conversation` as it is now (`None`: no such message there).
    async fn message(
        &self,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError>;

    /// Replaces the text and mentions, counts the edit and logs `message_updated`. The same
    /// text again is `Unchanged`. `NotFound(Message)` if there is no such message in the
    /// conversation; `Conflict(MessageDeleted)` if it is a tombstone.
    async fn edit_message(&self, edit: MessageEdit) -> Result<ChangeOutcome, StoreError>;

    /// The conversation the message with this id belongs to (`None`: no such message), for
    /// faces that name a message by its id alone.
    async fn message_conversation(
        &self,
        id: MessageId,
    ) -> Result<Option<ConversationId>, StoreError>;

    /// Turns the message into a tombstone and logs `message_deleted`: its text, mentions and
    /// reactions are gone from every read and from the search index, its thread's counters
    /// are updated, and it keeps its id, seq, sender and place in its thread. Deleting a
    /// tombstone is `Unchanged`. `NotFound(Message)` if there is no such message.
    async fn delete_message(&self, deletion: MessageDeletion) -> Result<ChangeOutcome, StoreError>;
}

/// Reactions.
#[async_trait::async_trait]
pub trait ReactionStore: Send + Sync {
    /// Adds the reaction and logs `reaction_added`; already there is `Unchanged`. A message
    /// holds at most `max_emoji` different emoji: a new one beyond that is
    /// `Conflict(TooManyReactions)`. A tombstone takes none: `Conflict(MessageDeleted)`.
    /// `NotFound(Message)` if there is no such message.
    async fn add_reaction(
        &self,
        change: ReactionChange,
        max_emoji: u32,
    ) -> Result<ChangeOutcome, StoreError>;

    /// Removes the reaction and logs `reaction_removed`; not there is `Unchanged`.
    /// `NotFound(Message)` if there is no such message.
    async fn remove_reaction(&self, change: ReactionChange) -> Result<ChangeOutcome, StoreError>;
}
