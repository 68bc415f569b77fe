//! Messages for tests, sent through the send use case.

use std::sync::atomic::{AtomicU64, Ordering};

use hearth_app::{AppError, MessageChange, SendInput, Sent};
use hearth_domain::{ConversationId, Message, MessageId};

use crate::{TestKit, TestUser};

/// Makes every [`TestKit::post`] key unique within the process.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

impl TestKit {
    /// `who` sends `content` with the idempotency key `key`: the use case's own answer.
    pub async fn send(
        &self,
        who: &TestUser,
        conversation: ConversationId,
        key: &str,
        content: &str,
    ) -> Result<Sent, AppError> {
        self.app
            .messages
            .send(
                who.caller,
                conversation,
                SendInput {
                    client_message_id: key.to_owned(),
                    content: content.to_owned(),
                    attachments: Vec::new(),
                },
            )
            .await
    }

    /// `who` posts `content` with a fresh key; the stored message.
    pub async fn post(
        &self,
        who: &TestUser,
        conversation: ConversationId,
        content: &str,
    ) -> Message {
        let key = format!("post-{}", NEXT_KEY.fetch_add(1, Ordering::Relaxed));
        self.send(who, conversation, &key, content)
            .await
            .expect("post a message")
            .message
    }

    /// `who` edits message `id` to `content`: the use case's own answer.
    pub async fn edit(
        &self,
        who: &TestUser,
        conversation: ConversationId,
        id: MessageId,
        content: &str,
    ) -> Result<MessageChange, AppError> {
        self.app
            .messages
            .edit(who.caller, conversation, id, content)
            .await
    }

    /// `who` deletes message `id`: the use case's own answer.
    pub async fn delete(
        &self,
        who: &TestUser,
        conversation: ConversationId,
        id: MessageId,
    ) -> Result<MessageChange, AppError> {
        self.app.messages.delete(who.caller, conversation, id).await
    }

    /// The texts of every message of `conversation` that `who` sees, oldest first (`None`
    /// for a tombstone).
    pub async fn history(
        &self,
        who: &TestUser,
        conversation: ConversationId,
    ) -> Result<Vec<Option<String>>, AppError> {
        let page = self
            .app
            .messages
            .list(who.caller, conversation, None, Some(100))
            .await?;
        Ok(page
            .messages
            .iter()
            .map(|m| m.text().map(str::to_owned))
            .collect())
    }
}
