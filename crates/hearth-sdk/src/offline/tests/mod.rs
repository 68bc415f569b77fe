//! Unit tests of the offline client's store: the sync merge and the outbox. Fixtures build
//! the server's wire types by hand; the store is a real SQLite database in memory.

mod merge;
mod outbox;

use std::collections::BTreeMap;

use hearth_proto::{Bootstrap, ChangeEvent, ConversationDto, MessageDto, PermissionsDto, UserDto};
use time::OffsetDateTime;
use uuid::Uuid;

use super::LocalStore;

/// The signed-in user of every fixture store.
pub(super) fn me() -> UserDto {
    user(1, "alice")
}

pub(super) fn user(n: u128, name: &str) -> UserDto {
    UserDto {
        id: Uuid::from_u128(n),
        username: name.into(),
        display_name: name.into(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        about: None,
        avatar_url: None,
    }
}

/// The conversation of every fixture store.
pub(super) fn dm() -> Uuid {
    Uuid::from_u128(100)
}

pub(super) fn conversation(id: Uuid, last_seq: i64) -> ConversationDto {
    ConversationDto {
        id,
        kind: "direct".into(),
        title: None,
        description: String::new(),
        require_approval: false,
        history_visibility: "shared".into(),
        created_by: me().id,
        member_count: 2,
        members: None,
        my_role: "member".into(),
        my_permissions: PermissionsDto::default(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
        last_message_preview: None,
        last_message_at: None,
        last_seq,
        last_read_seq: last_seq,
        unread_count: 0,
    }
}

/// A message of `sender` at `seq` in the fixture conversation.
pub(super) fn message(sender: Uuid, key: &str, seq: i64, content: &str) -> MessageDto {
    MessageDto {
        id: Uuid::from_u128(10_000 + u128::try_from(seq).unwrap_or(0)),
        conversation_id: dm(),
        sender_id: sender,
        client_message_id: key.into(),
        seq,
        content: Some(content.into()),
        created_at: OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seq),
        status: "sent".into(),
        deleted: false,
        deleted_at: None,
        edited_at: None,
        edit_count: 0,
        reply_to: None,
        thread_root_id: None,
        thread: None,
        mentions: Vec::new(),
        reactions: Vec::new(),
        attachments: Vec::new(),
    }
}

/// Bob's id.
pub(super) fn bob() -> Uuid {
    Uuid::from_u128(2)
}

/// A `new_message` log event for `message`.
pub(super) fn new_message(message: &MessageDto) -> ChangeEvent {
    event(message.seq, "new_message", Some(message.clone()))
}

pub(super) fn event(seq: i64, kind: &str, message: Option<MessageDto>) -> ChangeEvent {
    ChangeEvent {
        seq,
        kind: kind.into(),
        actor_id: bob(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        message,
        emoji: None,
        thread: None,
        member_ids: None,
        user_id: None,
        role: None,
        permissions: None,
        settings: None,
    }
}

/// A store bootstrapped with the fixture conversation at `last_seq`, holding `recent`.
pub(super) fn store_at(last_seq: i64, recent: Vec<MessageDto>) -> LocalStore {
    let store = LocalStore::open_in_memory().expect("store");
    let mut recent_messages = BTreeMap::new();
    recent_messages.insert(dm(), recent);
    store
        .apply_bootstrap(&Bootstrap {
            me: me(),
            conversations: vec![conversation(dm(), last_seq)],
            recent_messages,
        })
        .expect("bootstrap");
    store
}

/// The contents of the fixture conversation, in display order.
pub(super) fn contents(store: &LocalStore) -> Vec<String> {
    store
        .messages(dm(), None, 100)
        .expect("messages")
        .into_iter()
        .map(|m| m.content.unwrap_or_default())
        .collect()
}
