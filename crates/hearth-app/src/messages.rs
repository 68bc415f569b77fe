//! Sending and reading messages.

use std::sync::Arc;

use hearth_domain::{
    ClientMessageId, ConversationEvent, ConversationId, EventKind, Limit, MemberMarker, Message,
    MessageContent, MessageId, ValidationErrors,
};
use hearth_store::{DynStore, NewMessage, SendOutcome};

use crate::realtime::Notifier;
use crate::{AppError, Caller, ConversationService, RateLimits, now};

/// A message as the client sent it.
#[derive(Clone, Debug)]
pub struct SendInput {
    /// The idempotency key.
    pub client_message_id: String,
    /// The text.
    pub content: String,
}

/// What a send did.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The stored message (the original one for a replay).
    pub message: Message,
    /// Whether this request created it (false: an idempotent replay).
    pub created: bool,
}

/// A page of history.
#[derive(Clone, Debug)]
pub struct MessagePageResult {
    /// Messages in seq order.
    pub messages: Vec<Message>,
    /// Whether more follow.
    pub has_more: bool,
    /// Every member's markers, for the messages' delivery status.
    pub markers: Vec<MemberMarker>,
}

/// The message use cases.
#[derive(Clone, Debug)]
pub struct MessageService {
    store: DynStore,
    conversations: ConversationService,
    limits: Arc<RateLimits>,
    notifier: Notifier,
}

impl MessageService {
    pub(crate) fn new(
        store: DynStore,
        conversations: ConversationService,
        limits: Arc<RateLimits>,
        notifier: Notifier,
    ) -> Self {
        Self {
            store,
            conversations,
            limits,
            notifier,
        }
    }

    /// Sends a message, idempotently on the caller's `client_message_id`. Returns once the
    /// message is durably stored.
    pub async fn send(
        &self,
        caller: Caller,
        conversation: ConversationId,
        input: SendInput,
    ) -> Result<Sent, AppError> {
        let mut errors = ValidationErrors::default();
        let key = errors.check(ClientMessageId::parse(&input.client_message_id));
        let content = errors.check(MessageContent::parse(&input.content));
        errors.into_result()?;
        let (Some(key), Some(content)) = (key, content) else {
            return Err(AppError::BadRequest("invalid message".to_owned()));
        };
        self.conversations
            .require_member(caller, conversation)
            .await?;
        if let Err(limited) = self.limits.send(caller.user_id) {
            // A retry of a message already stored is answered even when the sender is over
            // quota: a retry must always get the original back.
            return match self
                .store
                .message_by_client_id(caller.user_id, &key)
                .await?
            {
                Some(original)
                    if original.conversation_id == conversation && original.content == content =>
                {
                    Ok(Sent {
                        message: original,
                        created: false,
                    })
                }
                Some(_) => Err(key_conflict()),
                None => Err(limited),
            };
        }

        let outcome = self
            .store
            .send_message(NewMessage {
                id: MessageId::new(),
                conversation_id: conversation,
                sender_id: caller.user_id,
                client_message_id: key,
                content,
                created_at: now(),
            })
            .await
            .map_err(|err| match AppError::from(err) {
                AppError::Conflict(_) => key_conflict(),
                other => other,
            })?;
        Ok(match outcome {
            SendOutcome::Created(message) => {
                metrics::counter!("hearth_messages_sent_total").increment(1);
                self.notifier
                    .typing_stopped(conversation, caller.user_id)
                    .await;
                self.notifier
                    .log_event(ConversationEvent {
                        conversation_id: conversation,
                        seq: message.seq,
                        actor_id: message.sender_id,
                        created_at: message.created_at,
                        kind: EventKind::NewMessage(message.clone()),
                    })
                    .await;
                Sent {
                    message,
                    created: true,
                }
            }
            SendOutcome::Replayed(message) => Sent {
                message,
                created: false,
            },
        })
    }

    /// Messages after `after_seq` (0 when absent), oldest first.
    pub async fn list(
        &self,
        caller: Caller,
        conversation: ConversationId,
        after_seq: Option<i64>,
        limit: Option<i64>,
    ) -> Result<MessagePageResult, AppError> {
        let mut errors = ValidationErrors::default();
        let limit = errors.check(Limit::parse(limit));
        let after = after_seq.unwrap_or(0);
        if after < 0 {
            errors.0.push(hearth_domain::FieldError {
                field: "after_seq".to_owned(),
                message: "must be 0 or more".to_owned(),
            });
        }
        errors.into_result()?;
        let limit = limit.unwrap_or(Limit::DEFAULT).get();
        let markers = self.conversations.markers(caller, conversation).await?;
        let mut messages = self
            .store
            .messages_after(conversation, after, limit + 1)
            .await?;
        let has_more = messages.len() > limit as usize;
        messages.truncate(limit as usize);
        Ok(MessagePageResult {
            messages,
            has_more,
            markers,
        })
    }
}

fn key_conflict() -> AppError {
    AppError::Conflict("client_message_id was already used for a different message".to_owned())
}
