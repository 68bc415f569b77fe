//! Changing sent messages: edit, delete, react. Who may do what is decided here, by the
//! domain's permission rules; the store only makes each change atomically.
//!
//! Each use case returns the event it logged (`None` when nothing changed, e.g. a retried
//! edit or a reaction already there), so a realtime face can publish exactly that event.
//! These use cases never publish anything themselves.

use hearth_domain::{
    Action, ConversationEvent, ConversationId, EditRefusal, Emoji, MemberMarker, Message,
    MessageContent, MessageId, may_delete, may_edit,
};
use hearth_store::{
    ChangeOutcome, ConflictKind, MessageDeletion, MessageEdit, ReactionChange, StoreError,
};

use crate::{AppError, Caller, MessageService, now};

/// What a change to a message did.
#[derive(Clone, Debug)]
pub struct MessageChange {
    /// The message as it is now.
    pub message: Message,
    /// The event logged (with its seq), or `None` if nothing needed to change.
    pub event: Option<ConversationEvent>,
}

impl MessageChange {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.event.is_some()
    }

    fn from_outcome(outcome: ChangeOutcome) -> Result<Self, AppError> {
        let message = outcome
            .message()
            .cloned()
            .ok_or(AppError::NotFound("message"))?;
        Ok(Self {
            message,
            event: outcome.event().cloned(),
        })
    }
}

/// Store clashes, worded for the user.
fn change_error(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(ConflictKind::MessageDeleted) => {
            AppError::Conflict("the message was deleted".to_owned())
        }
        StoreError::Conflict(ConflictKind::TooManyReactions) => AppError::Conflict(format!(
            "a message can have at most {} different reactions",
            Emoji::MAX_PER_MESSAGE
        )),
        StoreError::NotFound(_) => AppError::NotFound("message"),
        other => AppError::from(other),
    }
}

impl MessageService {
    /// The answer to a change, its event (if any) announced to every member's devices.
    async fn announced(&self, outcome: ChangeOutcome) -> Result<MessageChange, AppError> {
        let change = MessageChange::from_outcome(outcome)?;
        if let Some(event) = &change.event {
            self.notifier.log_event(event.clone()).await;
        }
        Ok(change)
    }

    /// One message of a conversation the caller is in, as it is now. A message from before
    /// the caller's visible history is not found.
    pub async fn get(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Message, AppError> {
        let access = self
            .conversations
            .require_member(caller, conversation)
            .await?;
        self.visible_message(access, conversation, id).await
    }

    /// [`MessageService::get`] with every member's delivered and read markers, from which the
    /// message's delivery status follows.
    pub async fn get_with_markers(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<(Message, Vec<MemberMarker>), AppError> {
        let message = self.get(caller, conversation, id).await?;
        let markers = self.store.member_markers(conversation).await?;
        Ok((message, markers))
    }

    /// The message, when `access` sees it.
    async fn visible_message(
        &self,
        access: hearth_domain::Access,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<Message, AppError> {
        self.store
            .message(conversation, id)
            .await?
            .filter(|message| access.sees(message.seq))
            .ok_or(AppError::NotFound("message"))
    }

    /// Replaces the text of the caller's own message, within the edit window. Mentions are
    /// resolved again from the new text. The same text again changes nothing.
    pub async fn edit(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
        content: &str,
    ) -> Result<MessageChange, AppError> {
        // The length is checked before anything is read; whether it may be empty depends on
        // the message (a caption of files may be).
        let caption = MessageContent::parse_caption(content)?;
        let membership = self.conversations.member(caller, conversation).await?;
        let member = membership.access;
        let message = self.visible_message(member, conversation, id).await?;
        let content = match message.attachments.is_empty() {
            true => MessageContent::parse(caption.as_str())?,
            false => caption,
        };
        // A member who may no longer post (muted, or a channel reader) may not edit either.
        membership.authorize(Action::SendMessage)?;
        let at = now();
        may_edit(member, &message, at, self.settings.edit_window).map_err(|refusal| {
            AppError::Forbidden(match refusal {
                EditRefusal::NotAuthor => "only the author can edit a message",
                EditRefusal::WindowClosed => "this message can no longer be edited",
            })
        })?;
        if message.is_deleted() {
            return Err(change_error(StoreError::Conflict(
                ConflictKind::MessageDeleted,
            )));
        }
        let mentions = self.mentions(caller, conversation, &content).await?;
        let outcome = self
            .store
            .edit_message(MessageEdit {
                conversation_id: conversation,
                message_id: id,
                editor: caller.user_id,
                content,
                mentions,
                at,
            })
            .await
            .map_err(change_error)?;
        self.announced(outcome).await
    }

    /// Deletes a message, leaving its tombstone: its author may, and members holding
    /// `can_delete_messages` (owners and admins hold it). Deleting a tombstone again changes
    /// nothing.
    pub async fn delete(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<MessageChange, AppError> {
        let member = self
            .conversations
            .require_member(caller, conversation)
            .await?;
        let message = self.visible_message(member, conversation, id).await?;
        if !may_delete(member, &message) {
            return Err(AppError::Forbidden(
                "you may delete only your own messages here",
            ));
        }
        let outcome = self
            .store
            .delete_message(MessageDeletion {
                conversation_id: conversation,
                message_id: id,
                deleter: caller.user_id,
                at: now(),
            })
            .await
            .map_err(change_error)?;
        self.announced(outcome).await
    }

    /// The conversation of the message `id`, for a face that names a message by its id alone
    /// (GraphQL's `addReaction`): `not_found` when there is no such message. It decides
    /// nothing else; the use case called next checks membership and visibility.
    pub async fn conversation_of(&self, id: MessageId) -> Result<ConversationId, AppError> {
        self.store
            .message_conversation(id)
            .await?
            .ok_or(AppError::NotFound("message"))
    }

    /// Adds the caller's `emoji` reaction to a message; already there changes nothing.
    pub async fn react(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
        emoji: &str,
    ) -> Result<MessageChange, AppError> {
        let change = self.reaction(caller, conversation, id, emoji).await?;
        let outcome = self
            .store
            .add_reaction(change, Emoji::MAX_PER_MESSAGE)
            .await
            .map_err(change_error)?;
        self.announced(outcome).await
    }

    /// Takes back the caller's `emoji` reaction; not there changes nothing.
    pub async fn unreact(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
        emoji: &str,
    ) -> Result<MessageChange, AppError> {
        let change = self.reaction(caller, conversation, id, emoji).await?;
        let outcome = self
            .store
            .remove_reaction(change)
            .await
            .map_err(change_error)?;
        self.announced(outcome).await
    }

    async fn reaction(
        &self,
        caller: Caller,
        conversation: ConversationId,
        id: MessageId,
        emoji: &str,
    ) -> Result<ReactionChange, AppError> {
        let emoji = Emoji::parse(emoji)?;
        self.get(caller, conversation, id).await?;
        Ok(ReactionChange {
            conversation_id: conversation,
            message_id: id,
            user_id: caller.user_id,
            emoji,
            at: now(),
        })
    }
}
