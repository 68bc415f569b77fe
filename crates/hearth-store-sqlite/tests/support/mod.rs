//! What the SQLite store's own tests and benches share: the clock as the store keeps it, a
//! user, and a plain text message.
#![allow(clippy::unwrap_used, dead_code, reason = "test code")]

use hearth_domain::{
    ClientMessageId, ConversationId, DisplayName, MessageContent, MessageId, UserId, Username,
};
use hearth_store::{NewMessage, NewUser, UserStore};
use hearth_store_sqlite::SqliteStore;

/// Now, at the store's precision (microseconds), so values read back compare equal.
pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap()
}

/// A new user named `name`.
pub async fn user(store: &SqliteStore, name: &str) -> UserId {
    let id = UserId::new();
    store
        .create_user(NewUser {
            id,
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            password_hash: "not a hash".to_owned(),
            email: None,
            created_at: now(),
        })
        .await
        .unwrap();
    id
}

/// A text message from `sender` in `conversation`, sent with idempotency key `key`.
pub fn text_message(
    conversation: ConversationId,
    sender: UserId,
    key: &str,
    text: &str,
) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        conversation_id: conversation,
        sender_id: sender,
        client_message_id: ClientMessageId::parse(key).unwrap(),
        content: MessageContent::parse(text).unwrap(),
        created_at: now(),
        reply_to: None,
        mentions: Vec::new(),
    }
}
