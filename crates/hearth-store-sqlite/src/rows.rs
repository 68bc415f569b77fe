//! Reading messages out of SQLite rows, and completing them with what lives in other rows.
//!
//! A message is read in two steps. [`message_columns`] and [`message_from_row`] read its own
//! row (with any alias, so that joins can embed it). [`hydrate`] then adds what other rows
//! hold: its reactions, its attachments (with their files' records) and, for a reply, its
//! thread's counters from the root — one statement each per page, whatever its length. Every read path
//! hydrates, so a message always leaves the store as it is now. This module only reads.
//!
//! Both sides of the store read messages with the same functions: the readers on their
//! connections, the writer's jobs on the writer's (a job reads back the message it changed,
//! inside its transaction, so it includes what the job and the batch's earlier jobs wrote).

use std::collections::HashMap;

use hearth_domain::{
    ClientMessageId, ConversationId, Emoji, Media, Message, MessageContent, MessageId, Reaction,
    ThreadSummary, UserId,
};
use hearth_store::StoreError;
use rusqlite::{Connection, Params, Row, params, params_from_iter};
use uuid::Uuid;

use crate::codec::{Columns, from_micros};
use crate::media::media_from_row;
use crate::statements::decode_all;

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

/// Reads a message selected with [`message_columns`]`(alias)`; `None` when the row has none (an outer join that matched nothing). Reactions are empty and
/// a reply's thread counters zero until [`hydrate`] fills them in.
pub(crate) fn message_from_row(row: &Row<'_>, alias: &str) -> Result<Option<Message>, StoreError> {
    let col = |c: &str| format!("{alias}_{c}");
    let Some(id) = row.column::<Option<Uuid>>(&col("id"))? else {
        return Ok(None);
    };
    let get_i64 = |c: &str| row.column::<i64>(&col(c));
    let get_time = |c: &str| {
        row.column::<Option<i64>>(&col(c))
            .map(|t| t.map(from_micros))
    };
    let get_id = |c: &str| {
        row.column::<Option<Uuid>>(&col(c))
            .map(|id| id.map(MessageId::from_uuid))
    };
    let id = MessageId::from_uuid(id);
    let deleted_at = get_time("deleted_at")?;
    let content: String = row.column(&col("content"))?;
    let mentions: String = row.column(&col("mentions"))?;
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
        conversation_id: ConversationId::from_uuid(row.column(&col("conversation_id"))?),
        sender_id: UserId::from_uuid(row.column(&col("sender_id"))?),
        client_message_id: ClientMessageId::from_trusted(row.column(&col("client_message_id"))?),
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
        attachments: Vec::new(),
    }))
}

/// Most ids bound into one `IN (…)` list.
const CHUNK: usize = 500;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// A reaction row: message, emoji, user.
type ReactionRow = (Uuid, String, Uuid);
/// A thread root's counters: root, replies, time of the last.
type ThreadRow = (Uuid, i64, Option<i64>);

/// What [`hydrate`] must read for `messages`: the ids of those that can carry reactions and
/// attachments (not deleted) and the roots of their threads, each sorted and without repeats.
fn hydration_keys(messages: &[Message]) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut ids: Vec<Uuid> = messages
        .iter()
        .filter(|m| !m.is_deleted())
        .map(|m| m.id.as_uuid())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut roots: Vec<Uuid> = messages
        .iter()
        .filter_map(|m| m.thread_root().map(|r| r.as_uuid()))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    (ids, roots)
}

/// The reactions of `n` messages, in the order they are shown.
fn reactions_sql(n: usize) -> String {
    format!(
        "SELECT message_id, emoji, user_id FROM message_reactions \
         WHERE message_id IN ({}) ORDER BY created_at, emoji, user_id",
        placeholders(n)
    )
}

/// The attachments of `n` messages with their files' records, each message's in order.
fn attachments_sql(n: usize) -> String {
    format!(
        "SELECT a.message_id AS attachment_of, md.* FROM message_attachments a \
         JOIN media md ON md.id = a.media_id \
         WHERE a.message_id IN ({}) ORDER BY a.message_id, a.position",
        placeholders(n)
    )
}

/// The thread counters of `n` roots.
fn threads_sql(n: usize) -> String {
    format!(
        "SELECT id, thread_reply_count, thread_last_reply_at FROM messages WHERE id IN ({})",
        placeholders(n)
    )
}

/// Puts the rows [`hydrate`] read into `messages`.
fn apply_hydration(
    messages: &mut [Message],
    reaction_rows: Vec<ReactionRow>,
    attachment_rows: Vec<(Uuid, Media)>,
    thread_rows: Vec<ThreadRow>,
) {
    let mut attachments: HashMap<Uuid, Vec<Media>> = HashMap::new();
    for (message, media) in attachment_rows {
        attachments.entry(message).or_default().push(media);
    }
    let mut reactions: HashMap<Uuid, Vec<Reaction>> = HashMap::new();
    for (message, emoji, user) in reaction_rows {
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
    let threads: HashMap<Uuid, (i64, Option<i64>)> = thread_rows
        .into_iter()
        .map(|(root, replies, last)| (root, (replies, last)))
        .collect();
    for message in messages.iter_mut() {
        // The same message may stand more than once (several events about it).
        if let Some(list) = reactions.get(&message.id.as_uuid()) {
            message.reactions = list.clone();
        }
        if let Some(files) = attachments.get(&message.id.as_uuid()) {
            message.attachments = files.clone();
        }
        if let Some(root) = message.thread_root()
            && let Some((replies, last)) = threads.get(&root.as_uuid())
            && let Some(thread) = message.thread.as_mut()
        {
            thread.reply_count = count(*replies);
            thread.last_reply_at = last.map(from_micros);
        }
    }
}

/// Fills in what other rows hold: each message's reactions, and each reply's thread
/// counters (kept on its root).
pub(crate) fn hydrate(conn: &Connection, messages: &mut [Message]) -> Result<(), StoreError> {
    let (ids, roots) = hydration_keys(messages);
    let mut reaction_rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        reaction_rows.extend(decode_all(
            conn,
            &reactions_sql(chunk.len()),
            params_from_iter(chunk),
            |r| {
                Ok((
                    r.column("message_id")?,
                    r.column("emoji")?,
                    r.column("user_id")?,
                ))
            },
        )?);
    }
    let mut attachment_rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        attachment_rows.extend(decode_all(
            conn,
            &attachments_sql(chunk.len()),
            params_from_iter(chunk),
            |r| Ok((r.column("attachment_of")?, media_from_row(r)?)),
        )?);
    }
    let mut thread_rows = Vec::new();
    for chunk in roots.chunks(CHUNK) {
        thread_rows.extend(decode_all(
            conn,
            &threads_sql(chunk.len()),
            params_from_iter(chunk),
            |r| {
                Ok((
                    r.column("id")?,
                    r.column("thread_reply_count")?,
                    r.column("thread_last_reply_at")?,
                ))
            },
        )?);
    }
    apply_hydration(messages, reaction_rows, attachment_rows, thread_rows);
    Ok(())
}

/// The messages `sql` selects (with [`message_columns`]`("m")`), hydrated, in its order.
pub(crate) fn read_messages(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<Message>, StoreError> {
    let mut messages = decode_all(conn, sql, params, |row| message_from_row(row, "m"))?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    hydrate(conn, &mut messages)?;
    Ok(messages)
}

/// Selects message `?1` of conversation `?2` with [`message_columns`]`("m")`.
fn one_message_sql() -> String {
    format!(
        "SELECT {} FROM messages m WHERE m.id = ?1 AND m.conversation_id = ?2",
        message_columns("m")
    )
}

/// The message `id` of `conversation` as it is now.
pub(crate) fn load_message(
    conn: &Connection,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Option<Message>, StoreError> {
    let messages = read_messages(
        conn,
        &one_message_sql(),
        params![id.as_uuid(), conversation.as_uuid()],
    )?;
    Ok(messages.into_iter().next())
}
