//! The sync merge: the server's bootstrap, changes and live events written into the store.
//!
//! Every apply is idempotent: a log entry at or below a conversation's cursor is skipped, and
//! messages are upserted by their reconciliation key (`sender_id`, `client_message_id`), so a
//! live event that a catch-up brings again, or a send's answer that a sync brought first,
//! changes nothing. A live event past `cursor + 1` is a gap: it is not applied, and the
//! caller catches up with `/v1/sync/changes` instead. `history_from` drops what the user may
//! no longer see, `gone` drops whole conversations. No network here.

use hearth_proto::{
    Bootstrap, ChangeEvent, Changes, ConversationChanges, ConversationDto, MessageDto,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Change;
use super::store::{LocalStore, StoreError, rfc3339, upsert_user};

/// What became of a live event.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveOutcome {
    /// Applied; these parts of the store changed.
    Applied(Vec<Change>),
    /// Already applied (at or below the cursor): nothing changed.
    Duplicate,
    /// Entries between the cursor and this event are missing (or the conversation is new
    /// here): catch up with `/v1/sync/changes`, which brings this event too.
    Gap,
}

impl LocalStore {
    /// Writes a bootstrap: the signed-in user, every conversation with its cursor, and each
    /// one's recent messages (reconciling this device's own sends among them).
    pub fn apply_bootstrap(&self, boot: &Bootstrap) -> Result<Vec<Change>, StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        upsert_user(&tx, &boot.me)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('me', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [boot.me.id.to_string()],
        )?;
        let mut changes = vec![Change::Conversations];
        for conversation in &boot.conversations {
            let recent = boot
                .recent_messages
                .get(&conversation.id)
                .map_or(&[][..], Vec::as_slice);
            upsert_conversation(&tx, conversation, conversation.last_read_seq)?;
            tx.execute(
                "INSERT INTO sync_cursors (conversation_id, seq) VALUES (?1, ?2)
                 ON CONFLICT (conversation_id) DO UPDATE SET seq = max(seq, excluded.seq)",
                params![conversation.id.to_string(), conversation.last_seq],
            )?;
            for message in recent {
                upsert_message(&tx, message)?;
            }
            changes.push(Change::Messages(conversation.id));
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Writes the answer of `/v1/sync/changes`: drops the `gone` conversations, then applies
    /// each conversation's events after its cursor (skipping duplicates) and honours its
    /// `history_from`.
    pub fn apply_changes(&self, changes: &Changes) -> Result<Vec<Change>, StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let mut touched = Vec::new();
        for gone in &changes.gone {
            drop_conversation(&tx, *gone)?;
            touched.push(Change::Gone(*gone));
        }
        for conversation in &changes.changes {
            touched.extend(apply_conversation_changes(&tx, conversation)?);
        }
        tx.commit()?;
        if !touched.is_empty() {
            touched.push(Change::Conversations);
        }
        Ok(touched)
    }

    /// Applies one live event of `conversation`'s log, if it is the next one.
    pub fn apply_live(
        &self,
        conversation: Uuid,
        event: &ChangeEvent,
    ) -> Result<LiveOutcome, StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let Some(cursor) = cursor(&tx, conversation)? else {
            return Ok(LiveOutcome::Gap);
        };
        if event.seq <= cursor {
            return Ok(LiveOutcome::Duplicate);
        }
        if event.seq > cursor + 1 {
            return Ok(LiveOutcome::Gap);
        }
        let changes = apply_event(&tx, conversation, event)?;
        tx.commit()?;
        Ok(LiveOutcome::Applied(changes))
    }

    /// Forgets a conversation the user is no longer in.
    pub fn forget_conversation(&self, conversation: Uuid) -> Result<(), StoreError> {
        drop_conversation(&self.lock(), conversation)?;
        Ok(())
    }
}

fn apply_conversation_changes(
    tx: &Transaction<'_>,
    changes: &ConversationChanges,
) -> Result<Vec<Change>, StoreError> {
    let id = changes.conversation_id;
    let Some(mut cursor) = cursor(tx, id)? else {
        // A conversation this store has not bootstrapped: the engine bootstraps again.
        return Ok(vec![Change::Unknown(id)]);
    };
    let mut touched = Vec::new();
    if changes.history_from > 0 {
        let dropped = tx.execute(
            "DELETE FROM messages WHERE conversation_id = ?1 AND server_seq < ?2",
            params![id.to_string(), changes.history_from],
        )?;
        tx.execute(
            "UPDATE sync_cursors SET history_from = ?2 WHERE conversation_id = ?1",
            params![id.to_string(), changes.history_from],
        )?;
        if changes.history_from - 1 > cursor {
            cursor = changes.history_from - 1;
            set_cursor(tx, id, cursor)?;
        }
        if dropped > 0 {
            touched.push(Change::Messages(id));
        }
    }
    let mut events: Vec<&ChangeEvent> = changes.events.iter().collect();
    events.sort_by_key(|event| event.seq);
    for event in events {
        if event.seq <= cursor {
            continue;
        }
        for change in apply_event(tx, id, event)? {
            if !touched.contains(&change) {
                touched.push(change);
            }
        }
        cursor = event.seq;
        if !conversation_exists(tx, id)? {
            break;
        }
    }
    Ok(touched)
}

/// Applies one event (known to be the next of its log) and moves the cursor to it.
fn apply_event(
    tx: &Transaction<'_>,
    conversation: Uuid,
    event: &ChangeEvent,
) -> Result<Vec<Change>, StoreError> {
    let me = me(tx)?;
    let mut changes = Vec::new();
    if let Some(message) = &event.message {
        upsert_message(tx, message)?;
        if event.kind == "new_message" && !message.deleted {
            tx.execute(
                "UPDATE conversations SET last_message_preview = ?2, last_message_at = ?3
                  WHERE id = ?1",
                params![
                    conversation.to_string(),
                    message.content,
                    rfc3339(message.created_at)
                ],
            )?;
            if Some(message.sender_id) == me {
                // Writing a message reads everything before it.
                tx.execute(
                    "UPDATE conversations SET last_read_seq = max(last_read_seq, ?2) WHERE id = ?1",
                    params![conversation.to_string(), message.seq],
                )?;
            }
        }
        changes.push(Change::Messages(conversation));
    }
    if let Some(thread) = &event.thread {
        tx.execute(
            "UPDATE messages SET reply_count = ?2 WHERE server_id = ?1",
            params![thread.root_id.to_string(), thread.reply_count],
        )?;
    }
    let conversation_text = conversation.to_string();
    match event.kind.as_str() {
        "conversation_created" => {
            for member in event.member_ids.iter().flatten() {
                add_member(tx, &conversation_text, *member)?;
            }
        }
        "member_joined" => {
            if let Some(user) = event.user_id {
                add_member(tx, &conversation_text, user)?;
            }
        }
        "member_left" | "member_removed" => {
            if let Some(user) = event.user_id {
                if Some(user) == me {
                    drop_conversation(tx, conversation)?;
                    return Ok(vec![Change::Gone(conversation), Change::Conversations]);
                }
                tx.execute(
                    "DELETE FROM members WHERE conversation_id = ?1 AND user_id = ?2",
                    params![conversation_text, user.to_string()],
                )?;
                tx.execute(
                    "UPDATE conversations SET member_count = max(member_count - 1, 0) WHERE id = ?1",
                    [&conversation_text],
                )?;
            }
        }
        "member_updated" => {
            if let (Some(user), Some(role)) = (event.user_id, &event.role)
                && Some(user) == me
            {
                tx.execute(
                    "UPDATE conversations SET my_role = ?2 WHERE id = ?1",
                    params![conversation_text, role],
                )?;
            }
        }
        "conversation_updated" => {
            if let Some(settings) = &event.settings {
                tx.execute(
                    "UPDATE conversations SET title = ?2 WHERE id = ?1",
                    params![conversation_text, settings.title],
                )?;
            }
        }
        "conversation_deleted" => {
            drop_conversation(tx, conversation)?;
            return Ok(vec![Change::Gone(conversation), Change::Conversations]);
        }
        _ => {}
    }
    set_cursor(tx, conversation, event.seq)?;
    changes.push(Change::Conversations);
    Ok(changes)
}

fn add_member(tx: &Connection, conversation: &str, user: Uuid) -> rusqlite::Result<()> {
    let added = tx.execute(
        "INSERT OR IGNORE INTO members (conversation_id, user_id) VALUES (?1, ?2)",
        params![conversation, user.to_string()],
    )?;
    if added > 0 {
        tx.execute(
            "UPDATE conversations SET member_count = member_count + 1 WHERE id = ?1",
            [conversation],
        )?;
    }
    Ok(())
}

/// Upserts a message the server sent, by its reconciliation key: a pending or failed send of
/// this device with the same `client_message_id` becomes the server's message (`sent`, with
/// its id, seq and time) and leaves the outbox.
pub(crate) fn upsert_message(tx: &Connection, message: &MessageDto) -> rusqlite::Result<()> {
    let reactions = serde_json::to_string(&message.reactions).unwrap_or_else(|_| "[]".into());
    let attachments = serde_json::to_string(&message.attachments).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO messages (conversation_id, sender_id, client_message_id, server_id,
                               server_seq, server_created_at, local_created_at, content, status,
                               reply_to, deleted, edited_at, reactions_json, reply_count,
                               attachments_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, 'sent', ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (sender_id, client_message_id) DO UPDATE SET
             server_id = excluded.server_id, server_seq = excluded.server_seq,
             server_created_at = excluded.server_created_at, content = excluded.content,
             status = 'sent', failure = NULL, reply_to = excluded.reply_to,
             deleted = excluded.deleted, edited_at = excluded.edited_at,
             reactions_json = excluded.reactions_json,
             reply_count = max(messages.reply_count, excluded.reply_count),
             attachments_json = excluded.attachments_json",
        params![
            message.conversation_id.to_string(),
            message.sender_id.to_string(),
            message.client_message_id,
            message.id.to_string(),
            message.seq,
            rfc3339(message.created_at),
            message.content,
            message.reply_to.map(|id| id.to_string()),
            message.deleted,
            message.edited_at.map(rfc3339),
            reactions,
            message
                .thread
                .as_ref()
                .map_or(0, |thread| thread.reply_count),
            attachments,
        ],
    )?;
    tx.execute(
        "DELETE FROM outbox WHERE kind = 'send_message' AND client_message_id = ?1
            AND EXISTS (SELECT 1 FROM meta WHERE key = 'me' AND value = ?2)",
        params![message.client_message_id, message.sender_id.to_string()],
    )?;
    Ok(())
}

fn upsert_conversation(
    tx: &Connection,
    conversation: &ConversationDto,
    last_read_seq: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO conversations (id, kind, title, my_role, member_count, last_message_preview,
                                    last_message_at, server_updated_at, last_read_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
             my_role = excluded.my_role, member_count = excluded.member_count,
             last_message_preview = excluded.last_message_preview,
             last_message_at = excluded.last_message_at,
             server_updated_at = excluded.server_updated_at,
             last_read_seq = max(last_read_seq, excluded.last_read_seq)",
        params![
            conversation.id.to_string(),
            conversation.kind,
            conversation.title,
            conversation.my_role,
            conversation.member_count,
            conversation.last_message_preview,
            conversation.last_message_at.map(rfc3339),
            rfc3339(conversation.updated_at),
            last_read_seq,
        ],
    )?;
    for member in conversation.members.iter().flatten() {
        upsert_user(tx, &member.user)?;
        tx.execute(
            "INSERT OR IGNORE INTO members (conversation_id, user_id) VALUES (?1, ?2)",
            params![conversation.id.to_string(), member.user.id.to_string()],
        )?;
    }
    Ok(())
}

fn drop_conversation(tx: &Connection, conversation: Uuid) -> rusqlite::Result<()> {
    let id = conversation.to_string();
    tx.execute("DELETE FROM messages WHERE conversation_id = ?1", [&id])?;
    tx.execute("DELETE FROM outbox WHERE conversation_id = ?1", [&id])?;
    tx.execute("DELETE FROM conversations WHERE id = ?1", [&id])?;
    Ok(())
}

fn cursor(tx: &Connection, conversation: Uuid) -> rusqlite::Result<Option<i64>> {
    tx.query_row(
        "SELECT seq FROM sync_cursors WHERE conversation_id = ?1",
        [conversation.to_string()],
        |row| row.get(0),
    )
    .optional()
}

fn set_cursor(tx: &Connection, conversation: Uuid, seq: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_cursors SET seq = max(seq, ?2) WHERE conversation_id = ?1",
        params![conversation.to_string(), seq],
    )?;
    Ok(())
}

fn conversation_exists(tx: &Connection, conversation: Uuid) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT count(*) FROM conversations WHERE id = ?1",
        [conversation.to_string()],
        |row| row.get::<_, i64>(0),
    )
    .map(|count| count > 0)
}

pub(crate) fn me(tx: &Connection) -> Result<Option<Uuid>, StoreError> {
    let id: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'me'", [], |row| {
            row.get(0)
        })
        .optional()?;
    id.as_deref().map(super::store::uuid).transpose()
}

/// Now, for rows written here.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
