//! Messages in PostgreSQL: the idempotent, numbered send, and history reads.
//!
//! A send is one transaction: take the conversation's next seq (locking its counter row until
//! commit) and insert the message. When the key is taken — a retry, or two sends of one key
//! racing — the insert waits on the unique constraint `(sender_id, client_message_id)` for the
//! other to commit, does nothing (`ON CONFLICT DO NOTHING`), and the whole transaction runs
//! again, this time looking the key up first, which finds and returns the original; the seq it
//! had taken is rolled back with it, so no gap is left. (The first attempt skips the lookup:
//! an ordinary send costs one round trip less.)

use std::sync::atomic::{AtomicBool, Ordering};

use deadpool_postgres::Transaction;
use hearth_domain::{ClientMessageId, ConversationId, Message, MessageId, Seq, UserId, preview_of};
use hearth_store::stored::Sent;
use hearth_store::{ConflictKind, MessageStore, Missing, NewMessage, SendOutcome, StoreError};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, opt_row};
use crate::error::Failure;
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
    exec(
        tx,
        "UPDATE conversations SET updated_at = $1, last_message_id = $2, last_message_preview = $3, \
         last_message_at = $1 WHERE id = $4",
        &[&at, &new.id.as_uuid(), &preview_of(&new.content), &conversation],
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
        }));
    };
    // A reply carries its thread's counters as they are now: read it back.
    refresh_thread(tx, root).await?;
    let message = load_message(tx, new.conversation_id, new.id)
        .await?
        .ok_or(StoreError::NotFound(Missing::Message))?;
    Ok(SendOutcome::Created(message))
}

impl PostgresStore {
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
}
