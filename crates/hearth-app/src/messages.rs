//! Sending and reading messages.
//!
//! The other message use cases (edit, delete, reactions, threads, history windows, search)
//! are methods of the same [`MessageService`], in `message_changes.rs` and
//! `message_reads.rs`.

use std::sync::Arc;

use hearth_domain::{
    ClientMessageId, ConversationEvent, ConversationId, EventKind, MediaId, MemberMarker, Message,
    MessageContent, MessageId, UserId, ValidationErrors, mention_names, resolve_mentions,
};
use hearth_store::{DynStore, Missing, NewMessage, SendOutcome, StoreError};

use crate::media_access::attachable;
use crate::realtime::Notifier;
use crate::user_names::UserNames;
use crate::{
    AppError, Caller, ConversationService, HistoryQuery, MessageSettings, RateLimits, now,
};

/// A message as the client sent it.
#[derive(Clone, Debug)]
pub struct SendInput {
    /// The idempotency key.
    pub client_message_id: String,
    /// The text (a caption, which may be empty, when it carries files).
    pub content: String,
    /// The sender's ready uploads it carries, in order (at most ten).
    pub attachments: Vec<MediaId>,
}

/// What else a send may say about the message.
#[derive(Clone, Copy, Debug, Default)]
pub struct SendOptions {
    /// The message it answers, which must be in the same conversation.
    pub reply_to: Option<MessageId>,
}

/// What a send did.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The stored message (the original one, as it is now, for a replay).
    pub message: Message,
    /// Whether this request created it (false: an idempotent replay).
    pub created: bool,
}

/// A page of history.
#[derive(Clone, Debug)]
pub struct MessagePageResult {
    /// Messages in seq order.
    pub messages: Vec<Message>,
    /// Whether more follow in the direction the page was read.
    pub has_more: bool,
    /// Every member's markers, for the messages' delivery status.
    pub markers: Vec<MemberMarker>,
}

/// The message use cases.
#[derive(Clone, Debug)]
pub struct MessageService {
    pub(crate) store: DynStore,
    pub(crate) conversations: ConversationService,
    limits: Arc<RateLimits>,
    pub(crate) notifier: Notifier,
    pub(crate) settings: MessageSettings,
    names: UserNames,
}

impl MessageService {
    pub(crate) fn new(
        store: DynStore,
        conversations: ConversationService,
        limits: Arc<RateLimits>,
        notifier: Notifier,
        settings: MessageSettings,
        names: UserNames,
    ) -> Self {
        Self {
            names,
            store,
            conversations,
            limits,
            notifier,
            settings,
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
        self.send_with(caller, conversation, input, SendOptions::default())
            .await
    }

    /// [`send`](Self::send), as a reply when `options.reply_to` names a message. Mentions
    /// (`@username` of a member) are resolved from the text. Files: each must be the
    /// sender's own (else `NotFound`) and ready (else 422), ten at most; with files the text
    /// may be empty.
    pub async fn send_with(
        &self,
        caller: Caller,
        conversation: ConversationId,
        input: SendInput,
        options: SendOptions,
    ) -> Result<Sent, AppError> {
        let mut errors = ValidationErrors::default();
        let key = errors.check(ClientMessageId::parse(&input.client_message_id));
        let content = errors.check(if input.attachments.is_empty() {
            MessageContent::parse(&input.content)
        } else {
            MessageContent::parse_caption(&input.content)
        });
        errors.into_result()?;
        let (Some(key), Some(content)) = (key, content) else {
            return Err(AppError::BadRequest("invalid message".to_owned()));
        };
        let membership = self.conversations.may_send(caller, conversation).await?;
        if let Some(target) = options.reply_to {
            // Only a message the sender may see can be answered.
            let visible = self
                .store
                .message(conversation, target)
                .await?
                .is_some_and(|m| membership.access.sees(m.seq));
            if !visible {
                return Err(ValidationErrors::field(
                    "reply_to",
                    "must be the id of a message in this conversation",
                )
                .into());
            }
        }
        let over_quota = self.limits.send(caller.user_id).await.err();
        if let Some(limited) = over_quota {
            // A retry of a message already stored is answered even when the sender is over
            // quota: a retry must always get the original back. The key is taken, so the
            // send below can only replay it or clash.
            if self
                .store
                .message_by_client_id(caller.user_id, &key)
                .await?
                .is_none()
            {
                return Err(limited);
            }
        }

        let attachments = attachable(&self.store, caller, &input.attachments).await?;
        let mentions = self.mentions(caller, conversation, &content).await?;
        let outcome = self
            .store
            .send_message(NewMessage {
                id: MessageId::new(),
                conversation_id: conversation,
                sender_id: caller.user_id,
                client_message_id: key,
                content,
                created_at: now(),
                reply_to: options.reply_to,
                mentions,
                attachments,
            })
            .await
            .map_err(|err| match err {
                StoreError::NotFound(Missing::ReplyTarget) => ValidationErrors::field(
                    "reply_to",
                    "must be the id of a message in this conversation",
                )
                .into(),
                // A file deleted between the check above and the write.
                StoreError::NotFound(Missing::Media) => AppError::NotFound("media"),
                err => match AppError::from(err) {
                    AppError::Conflict(_) => key_conflict(),
                    other => other,
                },
            })?;
        Ok(match outcome {
            SendOutcome::Created(message) => {
                metrics::counter!("hearth_messages_sent_total").increment(1);
                let author = self.names.of(caller.user_id).await;
                // Sending ends the sender's typing indicator, if it was up.
                if let Some(author) = &author {
                    self.notifier.typing_ended(conversation, author);
                }
                let event = ConversationEvent {
                    conversation_id: conversation,
                    seq: message.seq,
                    actor_id: message.sender_id,
                    created_at: message.created_at,
                    kind: EventKind::NewMessage(message.clone()),
                };
                self.notifier
                    .new_message_to(event, author, membership.members());
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
        self.page(
            caller,
            conversation,
            HistoryQuery {
                after_seq,
                before_seq: None,
                limit,
            },
        )
        .await
    }

    /// The members of `conversation` that `content`, written by the caller, mentions. A
    /// member who blocked the caller is not mentioned (and so not notified).
    pub(crate) async fn mentions(
        &self,
        caller: Caller,
        conversation: ConversationId,
        content: &MessageContent,
    ) -> Result<Vec<UserId>, AppError> {
        let names = mention_names(content.as_str());
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let members = self.store.members_named(conversation, &names).await?;
        let mentioned = resolve_mentions(content.as_str(), |name| {
            members
                .iter()
                .find(|(member, _)| member == name)
                .map(|(_, id)| *id)
        });
        if mentioned.is_empty() {
            return Ok(mentioned);
        }
        let blockers = self.store.blocked_by(caller.user_id, &mentioned).await?;
        Ok(mentioned
            .into_iter()
            .filter(|user| !blockers.contains(user))
            .collect())
    }
}

fn key_conflict() -> AppError {
    AppError::Conflict("client_message_id was already used for a different message".to_owned())
}
