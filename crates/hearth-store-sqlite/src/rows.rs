//! Reading messages out of SQLite rows, and completing them with what lives in other rows.
//!
//! A message is read in two steps. [`message_columns`] and [`message_from_row`] read its own
//! row (with any alias, so that joins can embed it). [`hydrate`] then adds what other rows
//! hold: its reactions and, for a reply, its thread's counters from the root. Every read path
//! hydrates, so a message always leaves the store as it is now. This module only reads.

use std::collections::HashMap;

use hearth_domain::{
    ClientMessageId, ConversationId, Emoji, Message, MessageContent, MessageId, Reaction,
    ThreadSummary, UserId,
};
use hearth_store::StoreError;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection};
use uuid::Uuid;

use crate::codec::{from_micros, store_error};

/// Columns of `messages` that [`message_from_row`] reads.
const FIELDS: [&str; 16] = [
    "id",
    "conversation_id",
    "sender_id",
    "client_message_id",
    "seq",
    "content",
    "created_at",
    "edited_at",
    "edit_count",
    "deleted_at",
    "reply_to",
    "thread_root_id",
    "thread_started",
    "thread_reply_count",
    "thread_last_reply_at",
    "mentions",
];

/// The SELECT list for a message under table alias `alias`, with columns named `{alias}_…`,
/// as [`message_from_row`] reads them.
pub(crate) fn message_columns(alias: &str) -> String {
    FIELDS
        .iter()
        .map(|c| format!("{alias}.{c} AS {alias}_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Reads a message selected with [`message_columns`]`(alias)`; `None` when the row has none
/// (an outer join that matched nothing). Reactions are empty and a reply's thread counters
/// zero until [`hydrate`] fills them in.
pub(crate) fn message_from_row(
    row: &SqliteRow,
    alias: &str,
) -> Result<Option<Message>, StoreError> {
    let col = |c: &str| format!("{alias}_{c}");
    let Some(id) = row
        .try_get::<Option<Uuid>, _>(col("id").as_str())
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    let get_i64 = |c: &str| row.try_get::<i64, _>(col(c).as_str()).map_err(store_error);
    let get_time = |c: &str| {
        row.try_get::<Option<i64>, _>(col(c).as_str())
            .map(|t| t.map(from_micros))
            .map_err(store_error)
    };
    let get_id = |c: &str| {
        row.try_get::<Option<Uuid>, _>(col(c).as_str())
            .map(|id| id.map(MessageId::from_uuid))
            .map_err(store_error)
    };
    let id = MessageId::from_uuid(id);
    let deleted_at = get_time("deleted_at")?;
    let content: String = row.try_get(col("content").as_str()).map_err(store_error)?;
    let mentions: String = row.try_get(col("mentions").as_str()).map_err(store_error)?;
    let thread_root = get_id("thread_root_id")?;
    let thread = if get_i64("thread_started")? != 0 {
        Some(ThreadSummary {
            root_id: id,
            reply_count: count(get_i64("thread_reply_count")?),
            last_reply_at: get_time("thread_last_reply_at")?,
        })
    } else {
        thread_root.map(|root_id| ThreadSummary {
            root_id,
            reply_count: 0,
            last_reply_at: None,
        })
    };
    Ok(Some(Message {
        id,
        conversation_id: ConversationId::from_uuid(
            row.try_get(col("conversation_id").as_str())
                .map_err(store_error)?,
        ),
        sender_id: UserId::from_uuid(
            row.try_get(col("sender_id").as_str())
                .map_err(store_error)?,
        ),
        client_message_id: ClientMessageId::from_trusted(
            row.try_get(col("client_message_id").as_str())
                .map_err(store_error)?,
        ),
        seq: get_i64("seq")?,
        content: deleted_at
            .is_none()
            .then(|| MessageContent::from_trusted(content)),
        created_at: from_micros(get_i64("created_at")?),
        edited_at: get_time("edited_at")?,
        edit_count: count(get_i64("edit_count")?),
        deleted_at,
        reply_to: get_id("reply_to")?,
        thread,
        mentions: serde_json::from_str(&mentions).map_err(StoreError::backend)?,
        reactions: Vec::new(),
    }))
}

/// Most ids bound into one `IN (…)` list.
const CHUNK: usize = 500;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Fills in what other rows hold: each message's reactions, and each reply's thread
/// counters (kept on its root).
pub(crate) async fn hydrate(
    conn: &mut SqliteConnection,
    messages: &mut [Message],
) -> Result<(), StoreError> {
    let mut ids: Vec<Uuid> = messages
        .iter()
        .filter(|m| !m.is_deleted())
        .map(|m| m.id.as_uuid())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut reactions: HashMap<Uuid, Vec<Reaction>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT message_id, emoji, user_id FROM message_reactions \
             WHERE message_id IN ({}) ORDER BY created_at, emoji, user_id",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_as::<_, (Uuid, String, Uuid)>(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for (message, emoji, user) in query.fetch_all(&mut *conn).await.map_err(store_error)? {
            let list = reactions.entry(message).or_default();
            let user = UserId::from_uuid(user);
            match list.iter_mut().find(|r| r.emoji.as_str() == emoji) {
                Some(reaction) => reaction.user_ids.push(user),
                None => list.push(Reaction {
                    emoji: Emoji::from_trusted(emoji),
                    user_ids: vec![user],
                }),
            }
        }
    }

    let mut roots: Vec<Uuid> = messages
        .iter()
        .filter_map(|m| m.thread_root().map(|r| r.as_uuid()))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let mut threads: HashMap<Uuid, (i64, Option<i64>)> = HashMap::new();
    for chunk in roots.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, thread_reply_count, thread_last_reply_at FROM messages WHERE id IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_as::<_, (Uuid, i64, Option<i64>)>(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for (root, replies, last) in query.fetch_all(&mut *conn).await.map_err(store_error)? {
            threads.insert(root, (replies, last));
        }
    }

    for message in messages.iter_mut() {
        if let Some(list) = reactions.get(&message.id.as_uuid()) {
            message.reactions = list.clone();
        }
        if let Some(root) = message.thread_root()
            && let Some((replies, last)) = threads.get(&root.as_uuid())
            && let Some(thread) = message.thread.as_mut()
        {
            thread.reply_count = count(*replies);
            thread.last_reply_at = last.map(from_micros);
        }
    }
    Ok(())
}

/// Reads the messages of `rows` (selected with [`message_columns`]`("m")`), hydrated, in the
/// rows' order.
pub(crate) async fn read_messages(
    conn: &mut SqliteConnection,
    rows: Vec<SqliteRow>,
) -> Result<Vec<Message>, StoreError> {
    let mut messages = rows
        .iter()
        .filter_map(|row| message_from_row(row, "m").transpose())
        .collect::<Result<Vec<_>, _>>()?;
    hydrate(conn, &mut messages).await?;
    Ok(messages)
}

/// The message `id` of `conversation` as it is now, read through `conn` (the writer's
/// transaction or a reader).
pub(crate) async fn load_message(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.id = ? AND m.conversation_id = ?",
        message_columns("m")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
    Ok(read_messages(conn, rows).await?.into_iter().next())
}
