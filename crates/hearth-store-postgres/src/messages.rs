//! Messages in PostgreSQL: the idempotent, numbered send, and history reads.
//!
//! An ordinary send (not a reply) is one statement, committed on its own: it takes the
//! conversation's next seq (locking its counter row until commit), inserts the message and
//! moves the conversation's summary, in data-modifying CTEs — one round trip instead of five.
//! If the key is taken, the insert's unique violation undoes the whole statement (the seq with
//! it) and the send runs again as the transaction below, which finds the original.
//!
//! A reply, or a message with files, is one transaction: find its thread's root, take the next seq and insert the
//! message (and its files' rows, in one statement), then recount the root's replies. When the key is taken — a retry, or two sends of one key
//! racing — the insert waits on the unique constraint `(sender_id, client_message_id)` for the
//! other to commit, does nothing (`ON CONFLICT DO NOTHING`), and the whole transaction runs
//! again, this time looking the key up first, which finds and returns the original; the seq it
//! had taken is rolled back with it, so no gap is left. (The first attempt skips the lookup:
//! an ordinary send costs one round trip less.)

use std::sync::atomic::{AtomicBool, Ordering};

use deadpool_postgres::Transaction;
use hearth_domain::{
    ClientMessageId, ConversationId, Media, Message, MessageId, Seq, UserId, preview_of_sent,
};
use hearth_store::stored::{Sent, same_attachments};
use hearth_store::{ConflictKind, MessageStore, Missing, NewMessage, SendOutcome, StoreError};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, exec_raw, opt_row, rows_raw};
use crate::error::{Failure, Violation, failure, is_unique_violation_of, violation};
use crate::rows::{load_message, message_columns, read_messages};

/// Takes the conversation's next seq, holding its counter row locked until the transaction
/// ends (see the crate docs). `NotFound(Conversation)` when there is none or it was deleted:
/// a deletion is the last event of a log.
pub(crate) async fn take_seq(
    tx: &Transaction<'_>,
    conversation: ConversationId,
) -> Result<Seq, Failure> {
    let row = opt_row(
        tx,
        "UPDATE conversation_counters SET next_seq = next_seq + 1 \
         WHERE conversation_id = $1 AND open RETURNING next_seq - 1 AS seq",
        &[&conversation.as_uuid()],
    )
    .await?
    .ok_or(StoreError::NotFound(Missing::Conversation))?;
    Ok(row.col("seq")?)
}

/// Marks `root` as having a thread and recounts its replies that are not deleted (and the
/// time of the latest). Runs in the transaction that sends or deletes a reply.
pub(crate) async fn refresh_thread(tx: &Transaction<'_>, root: Uuid) -> Result<(), Failure> {
    exec(
        tx,
        "UPDATE messages SET thread_started = true, \
             thread_reply_count = (SELECT count(*) FROM messages r \
                 WHERE r.thread_root_id = $1 AND r.deleted_at IS NULL), \
             thread_last_reply_at = (SELECT max(r.created_at) FROM messages r \
                 WHERE r.thread_root_id = $1 AND r.deleted_at IS NULL) \
         WHERE id = $1",
        &[&root],
    )
    .await?;
    Ok(())
}

/// Writes the rows of a new message's files, in order, in one statement (none: no statement).
/// A file whose record is gone is `NotFound(Media)`, and the transaction rolls back.
async fn store_attachments(
    tx: &Transaction<'_>,
    message: MessageId,
    files: &[Media],
) -> Result<(), Failure> {
    if files.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = files.iter().map(|m| m.id.as_uuid()).collect();
    exec_raw(
        tx,
        "INSERT INTO message_attachments (message_id, position, media_id) \
         SELECT $1, t.ord - 1, t.media_id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(media_id, ord)",
        &[&message.as_uuid(), &ids],
    )
    .await
    .map_err(|err| {
        violation(err, |v| {
            matches!(v, Violation::ForeignKey).then_some(StoreError::NotFound(Missing::Media))
        })
    })?;
    Ok(())
}

/// Stores a new message. `look_for_earlier`: first look for a message already stored under
/// its key (a retry). A first attempt skips that read — the insert's conflict on the key finds
/// a retry anyway, and then the transaction runs again with the read — so that an ordinary
/// send costs one round trip less.
async fn store_message(
    tx: &Transaction<'_>,
    new: NewMessage,
    look_for_earlier: bool,
) -> Result<SendOutcome, Failure> {
    let earlier = if look_for_earlier {
        opt_row(
            tx,
            "SELECT id, conversation_id, reply_to, content, sent_digest FROM messages \
             WHERE sender_id = $1 AND client_message_id = $2",
            &[&new.sender_id.as_uuid(), &new.client_message_id.as_str()],
        )
        .await?
    } else {
        None
    };
    if let Some(row) = earlier {
        let id: Uuid = row.col("id")?;
        let earlier = Sent {
            conversation_id: row.col("conversation_id")?,
            reply_to: row.col("reply_to")?,
            content: row.col("content")?,
            sent_digest: row.col("sent_digest")?,
        };
        if !earlier.is_retry_of(&new) {
            return Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused).into());
        }
        let original = load_message(
            tx,
            ConversationId::from_uuid(earlier.conversation_id),
            MessageId::from_uuid(id),
        )
        .await?
        .ok_or(StoreError::NotFound(Missing::Message))?;
        if !same_attachments(&original, &new) {
            return Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused).into());
        }
        return Ok(SendOutcome::Replayed(original));
    }

    let root: Option<Uuid> = match new.reply_to {
        Some(target) => Some(
            opt_row(
                tx,
                "SELECT coalesce(thread_root_id, id) AS root FROM messages \
                 WHERE id = $1 AND conversation_id = $2",
                &[&target.as_uuid(), &new.conversation_id.as_uuid()],
            )
            .await?
            .ok_or(StoreError::NotFound(Missing::ReplyTarget))?
            .col("root")?,
        ),
        None => None,
    };
    let seq = take_seq(tx, new.conversation_id).await?;
    let at = at_micros(new.created_at);
    let conversation = new.conversation_id.as_uuid();
    let mentions: Vec<Uuid> = new.mentions.iter().map(|m| m.as_uuid()).collect();
    let inserted = opt_row(
        tx,
        "INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, \
             created_at, reply_to, thread_root_id, mentions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT ON CONSTRAINT messages_client_key DO NOTHING RETURNING id",
        &[
            &new.id.as_uuid(),
            &conversation,
            &new.sender_id.as_uuid(),
            &new.client_message_id.as_str(),
            &seq,
            &new.content.as_str(),
            &at,
            &new.reply_to.map(|r| r.as_uuid()),
            &root,
            &mentions,
        ],
    )
    .await?;
    if inserted.is_none() {
        // The key is taken (a retry, or a concurrent send of it that committed first): start
        // again, looking for it, to return it.
        return Err(Failure::Retry);
    }
    store_attachments(tx, new.id, &new.attachments).await?;
    exec(
        tx,
        "UPDATE conversations SET updated_at = $1, last_message_id = $2, last_message_preview = $3, \
         last_message_at = $1 WHERE id = $4",
        &[
            &at,
            &new.id.as_uuid(),
            &preview_of_sent(&new.content, &new.attachments),
            &conversation,
        ],
    )
    .await?;
    let Some(root) = root else {
        // A new message that answers nothing is exactly what was just written.
        return Ok(SendOutcome::Created(Message {
            id: new.id,
            conversation_id: new.conversation_id,
            sender_id: new.sender_id,
            client_message_id: new.client_message_id,
            seq,
            content: Some(new.content),
            created_at: at,
            edited_at: None,
            edit_count: 0,
            deleted_at: None,
            reply_to: None,
            thread: None,
            mentions: new.mentions,
            reactions: Vec::new(),
            attachments: new.attachments,
        }));
    };
    // A reply carries its thread's counters as they are now: read it back.
    refresh_thread(tx, root).await?;
    let message = load_message(tx, new.conversation_id, new.id)
        .await?
        .ok_or(StoreError::NotFound(Missing::Message))?;
    Ok(SendOutcome::Created(message))
}

/// An ordinary send in one statement: the seq taken, the message inserted and the
/// conversation's summary moved, or nothing at all. No row: the conversation is gone.
const SEND_IN_ONE_STATEMENT: &str = "WITH taken AS ( \
         UPDATE conversation_counters SET next_seq = next_seq + 1 \
         WHERE conversation_id = $2 AND open RETURNING next_seq - 1 AS seq), \
     inserted AS ( \
         INSERT INTO messages (id, conversation_id, sender_id, client_message_id, seq, content, \
             created_at, mentions) \
         SELECT $1, $2, $3, $4, taken.seq, $5, $6, $7 FROM taken RETURNING seq), \
     summarised AS ( \
         UPDATE conversations SET updated_at = $6, last_message_id = $1, \
             last_message_preview = $8, last_message_at = $6 \
         WHERE id = $2 AND EXISTS (SELECT 1 FROM inserted)) \
     SELECT seq FROM inserted";

impl PostgresStore {
    /// Stores `new` (which answers nothing) in one statement: `None` when its key is taken,
    /// for the transaction to find out by whom.
    async fn send_in_one_statement(&self, new: &NewMessage) -> Result<Option<Message>, StoreError> {
        let at = at_micros(new.created_at);
        let mentions: Vec<Uuid> = new.mentions.iter().map(|m| m.as_uuid()).collect();
        let preview = preview_of_sent(&new.content, &new.attachments);
        let (id, conversation, sender) = (
            new.id.as_uuid(),
            new.conversation_id.as_uuid(),
            new.sender_id.as_uuid(),
        );
        let (key, content) = (
            new.client_message_id.as_str().to_owned(),
            new.content.as_str().to_owned(),
        );
        let found = self
            .write_once(move |c| -> Job<'_, Option<Seq>> {
                Box::pin(async move {
                    let answered = rows_raw(
                        c,
                        SEND_IN_ONE_STATEMENT,
                        &[
                            &id,
                            &conversation,
                            &sender,
                            &key,
                            &content,
                            &at,
                            &mentions,
                            &preview,
                        ],
                    )
                    .await;
                    match answered {
                        Ok(rows) => match rows.first() {
                            Some(row) => Ok(Some(row.col("seq")?)),
                            None => Err(StoreError::NotFound(Missing::Conversation).into()),
                        },
                        Err(err) if is_unique_violation_of(&err, "messages_client_key") => Ok(None),
                        Err(err) => Err(failure(err)),
                    }
                })
            })
            .await?;
        Ok(found.map(|seq| Message {
            id: new.id,
            conversation_id: new.conversation_id,
            sender_id: new.sender_id,
            client_message_id: new.client_message_id.clone(),
            seq,
            content: Some(new.content.clone()),
            created_at: at,
            edited_at: None,
            edit_count: 0,
            deleted_at: None,
            reply_to: None,
            thread: None,
            mentions: new.mentions.clone(),
            reactions: Vec::new(),
            attachments: Vec::new(),
        }))
    }

    /// The messages that `sql` selects (columns of `message_columns("m")`, parameters: the
    /// conversation, a seq, a limit), hydrated.
    async fn page_of_messages(
        &self,
        sql: String,
        conversation: ConversationId,
        seq: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let limit = i64::from(limit);
        self.read(move |c| -> Job<'_, Vec<Message>> {
            Box::pin(async move {
                read_messages(c, &sql, &[&conversation.as_uuid(), &seq, &limit]).await
            })
        })
        .await
    }
}

#[async_trait::async_trait]
impl MessageStore for PostgresStore {
    async fn send_message(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        // A message with files takes the transaction: its rows go in the same one.
        if message.reply_to.is_none() && message.attachments.is_empty() {
            if let Some(created) = self.send_in_one_statement(&message).await? {
                return Ok(SendOutcome::Created(created));
            }
            // The key is taken: the transaction looks it up (and finds it) at once.
            return self
                .write(|tx| -> Job<'_, SendOutcome> {
                    Box::pin(store_message(tx, message.clone(), true))
                })
                .await;
        }
        let attempted = AtomicBool::new(false);
        self.write(|tx| -> Job<'_, SendOutcome> {
            let message = message.clone();
            let look_for_earlier = attempted.swap(true, Ordering::Relaxed);
            Box::pin(store_message(tx, message, look_for_earlier))
        })
        .await
    }

    async fn message_by_client_id(
        &self,
        sender: UserId,
        key: &ClientMessageId,
    ) -> Result<Option<Message>, StoreError> {
        let key = key.as_str().to_owned();
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.sender_id = $1 AND m.client_message_id = $2",
            message_columns("m")
        );
        self.read(move |c| -> Job<'_, Option<Message>> {
            Box::pin(async move {
                let found = read_messages(c, &sql, &[&sender.as_uuid(), &key]).await?;
                Ok(found.into_iter().next())
            })
        })
        .await
    }

    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = $1 AND m.seq > $2 \
             ORDER BY m.seq LIMIT $3",
            message_columns("m")
        );
        self.page_of_messages(sql, conversation, after, limit).await
    }

    async fn recent_messages(
        &self,
        conversation: ConversationId,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = $1 AND m.seq >= $2 \
             ORDER BY m.seq DESC LIMIT $3",
            message_columns("m")
        );
        let mut messages = self
            .page_of_messages(sql, conversation, visible_from, limit)
            .await?;
        messages.reverse();
        Ok(messages)
    }

    async fn messages_by_sender(
        &self,
        sender: UserId,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.sender_id = $1 AND m.deleted_at IS NULL \
               AND ($2::uuid IS NULL OR m.id > $2) ORDER BY m.id LIMIT $3",
            message_columns("m")
        );
        let after = after.map(|id| id.as_uuid());
        let limit = i64::from(limit);
        self.read(move |c| -> Job<'_, Vec<Message>> {
            Box::pin(
                async move { read_messages(c, &sql, &[&sender.as_uuid(), &after, &limit]).await },
            )
        })
        .await
    }
}
