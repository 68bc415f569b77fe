//! Messages: the idempotent, durably numbered send, and history reads.

use hearth_domain::{
    ClientMessageId, ConversationId, Media, Message, MessageContent, MessageId, Seq, Timestamp,
    UserId,
};

use crate::StoreError;

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// Its id, if it is new.
    pub id: MessageId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The sender (already checked to be a member allowed to send).
    pub sender_id: UserId,
    /// The idempotency key.
    pub client_message_id: ClientMessageId,
    /// The text.
    pub content: MessageContent,
    /// The server's time of sending.
    pub created_at: Timestamp,
    /// The message this one answers (checked by the store to be in the same conversation).
    pub reply_to: Option<MessageId>,
    /// The members the text mentions.
    pub mentions: Vec<UserId>,
    /// The files it carries, in order (already checked to be the sender's and ready; at most
    /// [`Media::MAX_PER_MESSAGE`]). Written in the same transaction as the message.
    pub attachments: Vec<Media>,
}

/// What a send did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// The message is new and now durably stored with the next seq.
    Created(Message),
    /// The sender had already sent this key with this content: the original message.
    Replayed(Message),
}

impl SendOutcome {
    /// The stored message, new or original.
    pub fn message(&self) -> &Message {
        match self {
            Self::Created(m) | Self::Replayed(m) => m,
        }
    }
}

/// Storage of messages.
#[async_trait::async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message idempotently on `(sender_id, client_message_id)`.
    ///
    /// A new message gets the conversation's next seq, in the same transaction that stores it,
    /// and the call returns only once that transaction is durable. A key already used with the
    /// same conversation, content (as first sent, whatever edits followed) and `reply_to`
    /// returns the original as it is now (`Replayed`); with anything else it is
    /// `Conflict(IdempotencyKeyReused)`. Concurrent sends of one key store one message.
    /// A `reply_to` that names no message of the conversation is `NotFound(ReplyTarget)`; the
    /// reply joins the thread of the root that message belongs to. The attachments are stored
    /// with the message, in the same transaction (`message_attachments`), or not at all: one
    /// whose record is gone is `NotFound(Media)`. A retry must carry the same files in the
    /// same order (else `Conflict(IdempotencyKeyReused)`, unless the original was deleted).
    async fn send_message(&self, message: NewMessage) -> Result<SendOutcome, StoreError>;

    /// The message `sender` sent with idempotency key `key`, if any.
    async fn message_by_client_id(
        &self,
        sender: UserId,
        key: &ClientMessageId,
    ) -> Result<Option<Message>, StoreError>;

    /// Messages with `seq > after`, oldest first, at most `limit` (callers ask one more than
    /// they show to learn `has_more` without counting).
    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// The latest `limit` messages, oldest first.
    ///
    /// Every read of this port returns messages as they are now: edits applied, tombstones
    /// without content, reactions and thread counters current.
    async fn recent_messages(
        &self,
        conversation: ConversationId,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// The messages `sender` sent that are not deleted, in every conversation, by id (oldest
    /// first) after `after`, at most `limit`: what an export of their data holds, and what the
    /// deletion of their account turns into tombstones.
    async fn messages_by_sender(
        &self,
        sender: UserId,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;
}
