//! Reading users and messages out of rows, and completing messages with what other rows hold.
//!
//! A message is read in two steps: [`message_from_row`] reads its own row (selected with
//! [`message_columns`] under any alias, so joins can embed it), then [`hydrate`] adds its
//! reactions, its attachments (with their files' records) and, for a reply, its thread's
//! counters from the root. Every read path hydrates,
//! so a message always leaves the store as it is now. This module only reads.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use hearth_domain::{
    About, ClientMessageId, ConversationId, DisplayName, Emoji, Media, Message, MessageContent,
    MessageId, Reaction, ThreadSummary, Timestamp, User, UserId, Username,
};
use hearth_store::StoreError;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::db::{Columns, Params, rows};
use crate::error::Failure;
use crate::media::media_from_row;

/// The columns [`user_from_row`] reads (`u` is the users alias).
pub(crate) const USER_COLUMNS: &str = "u.id AS user_id, u.username, u.display_name, u.created_at AS user_created_at, \
     u.email_verified_at AS user_email_verified_at, u.about AS user_about, u.avatar AS user_avatar";

/// Reads a user from a row selected with [`USER_COLUMNS`].
pub(crate) fn user_from_row(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::from_uuid(row.col("user_id")?),
        username: Username::from_trusted(row.col("username")?),
        display_name: DisplayName::from_trusted(row.col("display_name")?),
        created_at: row.col("user_created_at")?,
        email_verified_at: row.col("user_email_verified_at")?,
        about: row
            .col::<Option<String>>("user_about")?
            .map(About::from_trusted),
        // A name this build cannot read is no picture, rather than an unreadable account.
        avatar: row
            .col::<Option<String>>("user_avatar")?
            .and_then(|name| name.parse().ok()),
    })
}

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

/// The SELECT list for a message under table alias `alias`, with columns named `{alias}_…`.
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
pub(crate) fn message_from_row(row: &Row, alias: &str) -> Result<Option<Message>, StoreError> {
    let col = |c: &str| format!("{alias}_{c}");
    let Some(id) = row.col::<Option<Uuid>>(&col("id"))? else {
        return Ok(None);
    };
    let get_i64 = |c: &str| row.col::<i64>(&col(c));
    let get_time = |c: &str| row.col::<Option<Timestamp>>(&col(c));
    let get_id = |c: &str| {
        row.col::<Option<Uuid>>(&col(c))
            .map(|id| id.map(MessageId::from_uuid))
    };
    let id = MessageId::from_uuid(id);
    let deleted_at = get_time("deleted_at")?;
    let content: String = row.col(&col("content"))?;
    let mentions: Vec<Uuid> = row.col(&col("mentions"))?;
    let thread_root = get_id("thread_root_id")?;
    let thread = if row.col::<bool>(&col("thread_started"))? {
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
        conversation_id: ConversationId::from_uuid(row.col(&col("conversation_id"))?),
        sender_id: UserId::from_uuid(row.col(&col("sender_id"))?),
        client_message_id: ClientMessageId::from_trusted(row.col(&col("client_message_id"))?),
        seq: get_i64("seq")?,
        content: deleted_at
            .is_none()
            .then(|| MessageContent::from_trusted(content)),
        created_at: row.col(&col("created_at"))?,
        edited_at: get_time("edited_at")?,
        edit_count: count(get_i64("edit_count")?),
        deleted_at,
        reply_to: get_id("reply_to")?,
        thread,
        mentions: mentions.into_iter().map(UserId::from_uuid).collect(),
        reactions: Vec::new(),
        attachments: Vec::new(),
    }))
}

/// Fills in what other rows hold: each message's reactions, and each reply's thread counters
/// (kept on its root), and each message's files. Three statements whatever the number of
/// messages.
pub(crate) async fn hydrate<C: GenericClient>(
    c: &C,
    messages: &mut [Message],
) -> Result<(), Failure> {
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

    let mut reactions: HashMap<Uuid, Vec<Reaction>> = HashMap::new();
    if !ids.is_empty() {
        let found = rows(
            c,
            "SELECT message_id, emoji, user_id FROM message_reactions \
             WHERE message_id = ANY($1) ORDER BY created_at, emoji, user_id",
            &[&ids],
        )
        .await?;
        for row in found {
            let message: Uuid = row.col("message_id")?;
            let emoji: String = row.col("emoji")?;
            let user = UserId::from_uuid(row.col("user_id")?);
            let list = reactions.entry(message).or_default();
            match list.iter_mut().find(|r| r.emoji.as_str() == emoji) {
                Some(reaction) => reaction.user_ids.push(user),
                None => list.push(Reaction {
                    emoji: Emoji::from_trusted(emoji),
                    user_ids: vec![user],
                }),
            }
        }
    }
    let mut attachments: HashMap<Uuid, Vec<Media>> = HashMap::new();
    if !ids.is_empty() {
        let found = rows(
            c,
            "SELECT a.message_id AS attachment_of, md.* FROM message_attachments a \
             JOIN media md ON md.id = a.media_id \
             WHERE a.message_id = ANY($1) ORDER BY a.message_id, a.position",
            &[&ids],
        )
        .await?;
        for row in &found {
            attachments
                .entry(row.col("attachment_of")?)
                .or_default()
                .push(media_from_row(row)?);
        }
    }
    let mut threads: HashMap<Uuid, (i64, Option<Timestamp>)> = HashMap::new();
    if !roots.is_empty() {
        let found = rows(
            c,
            "SELECT id, thread_reply_count, thread_last_reply_at FROM messages WHERE id = ANY($1)",
            &[&roots],
        )
        .await?;
        for row in found {
            threads.insert(
                row.col("id")?,
                (
                    row.col("thread_reply_count")?,
                    row.col("thread_last_reply_at")?,
                ),
            );
        }
    }
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
            thread.last_reply_at = *last;
        }
    }
    Ok(())
}

/// The messages `sql` selects (with [`message_columns`]`("m")`), hydrated, in its order.
pub(crate) async fn read_messages<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<Vec<Message>, Failure> {
    let mut messages = Vec::new();
    for row in rows(c, sql, params).await? {
        messages.extend(message_from_row(&row, "m")?);
    }
    hydrate(c, &mut messages).await?;
    Ok(messages)
}

/// The message `id` of `conversation` as it is now.
pub(crate) async fn load_message<C: GenericClient>(
    c: &C,
    conversation: ConversationId,
    id: MessageId,
) -> Result<Option<Message>, Failure> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.id = $1 AND m.conversation_id = $2",
        message_columns("m")
    );
    let messages = read_messages(c, &sql, &[&id.as_uuid(), &conversation.as_uuid()]).await?;
    Ok(messages.into_iter().next())
}
