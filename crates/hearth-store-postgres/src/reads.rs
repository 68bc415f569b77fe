//! Pages of history and threads, member lookups by name, the log read for sync, and read
//! and delivered markers (forward-only, clamped to the log).

use deadpool_postgres::Transaction;
use hearth_domain::{
    ConversationEvent, ConversationId, MemberMarker, Message, MessageId, Seq, SeqWindow, UserId,
};
use hearth_store::stored::{decode_event, message_event};
use hearth_store::{
    ConversationCursor, MentionStore, MessagePageStore, Missing, StoreError, SyncStore,
};

use crate::PostgresStore;
use crate::db::{Columns, Job, one_row, opt_row, rows};
use crate::error::Failure;
use crate::rows::{hydrate, message_columns, message_from_row, read_messages};

#[async_trait::async_trait]
impl MessagePageStore for PostgresStore {
    async fn message_page(
        &self,
        conversation: ConversationId,
        thread: Option<MessageId>,
        window: SeqWindow,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let order = if window.newest_first { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {} FROM messages m \
             WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq < $3 \
               AND ($4::uuid IS NULL OR m.thread_root_id = $4) \
             ORDER BY m.seq {order} LIMIT $5",
            message_columns("m")
        );
        let limit = i64::from(limit);
        let before = window.before.unwrap_or(i64::MAX);
        let thread = thread.map(|t| t.as_uuid());
        self.read(move |c| -> Job<'_, Vec<Message>> {
            Box::pin(async move {
                let mut messages = read_messages(
                    c,
                    &sql,
                    &[
                        &conversation.as_uuid(),
                        &window.after,
                        &before,
                        &thread,
                        &limit,
                    ],
                )
                .await?;
                if window.newest_first {
                    messages.reverse();
                }
                Ok(messages)
            })
        })
        .await
    }
}

#[async_trait::async_trait]
impl MentionStore for PostgresStore {
    async fn members_named(
        &self,
        conversation: ConversationId,
        names: &[String],
    ) -> Result<Vec<(String, UserId)>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let names = names.to_vec();
        self.read(move |c| -> Job<'_, Vec<(String, UserId)>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT u.username, u.id FROM conversation_members m \
                     JOIN users u ON u.id = m.user_id \
                     WHERE m.conversation_id = $1 AND u.username = ANY($2)",
                    &[&conversation.as_uuid(), &names],
                )
                .await?;
                let mut named = Vec::with_capacity(found.len());
                for row in found {
                    named.push((row.col("username")?, UserId::from_uuid(row.col("id")?)));
                }
                Ok(named)
            })
        })
        .await
    }
}

#[async_trait::async_trait]
impl SyncStore for PostgresStore {
    async fn conversation_cursors(
        &self,
        user: UserId,
    ) -> Result<Vec<ConversationCursor>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<ConversationCursor>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT m.conversation_id, cc.next_seq - 1 AS last_seq, m.history_from \
                     FROM conversation_members m \
                     JOIN conversation_counters cc ON cc.conversation_id = m.conversation_id \
                     JOIN conversations c ON c.id = m.conversation_id \
                     WHERE m.user_id = $1 AND c.deleted_at IS NULL",
                    &[&user.as_uuid()],
                )
                .await?;
                let mut cursors = Vec::with_capacity(found.len());
                for row in found {
                    cursors.push(ConversationCursor {
                        conversation_id: ConversationId::from_uuid(row.col("conversation_id")?),
                        last_seq: row.col("last_seq")?,
                        history_from: row.col("history_from")?,
                    });
                }
                Ok(cursors)
            })
        })
        .await
    }

    async fn events_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        visible_from: Seq,
        limit: u32,
    ) -> Result<Vec<ConversationEvent>, StoreError> {
        // The log is every row of `conversation_events` merged with every message (a message
        // is its own `new_message` entry). An event about a message numbered before
        // `visible_from` is left out even when the event itself is later.
        let sql = format!(
            "SELECT e.seq, e.kind, e.actor_id, e.created_at, e.payload, {} FROM ( \
                 (SELECT ev.seq AS seq, ev.kind AS kind, ev.actor_id AS actor_id, \
                         ev.created_at AS created_at, ev.payload AS payload, \
                         ev.message_id AS message_id \
                     FROM conversation_events ev LEFT JOIN messages about ON about.id = ev.message_id \
                     WHERE ev.conversation_id = $1 AND ev.seq > $2 AND ev.seq >= $3 \
                       AND (about.id IS NULL OR about.seq >= $3) \
                     ORDER BY ev.seq LIMIT $4) \
                 UNION ALL \
                 (SELECT seq, 'new_message', sender_id, created_at, NULL, id FROM messages \
                     WHERE conversation_id = $1 AND seq > $2 AND seq >= $3 \
                     ORDER BY seq LIMIT $4) \
                 ORDER BY 1 LIMIT $4 \
             ) e LEFT JOIN messages msg ON msg.id = e.message_id \
             ORDER BY e.seq",
            message_columns("msg")
        );
        let limit = i64::from(limit);
        self.read(move |c| -> Job<'_, Vec<ConversationEvent>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    &sql,
                    &[&conversation.as_uuid(), &after, &visible_from, &limit],
                )
                .await?;
                let mut messages = Vec::new();
                let mut has_message = Vec::with_capacity(found.len());
                for row in &found {
                    let message = message_from_row(row, "msg")?;
                    has_message.push(message.is_some());
                    messages.extend(message);
                }
                hydrate(c, &mut messages).await?;
                let mut messages = messages.into_iter();
                let mut events = Vec::with_capacity(found.len());
                for (row, has_message) in found.iter().zip(has_message) {
                    // Every row with a message consumed one, in order, whatever its kind.
                    let message = has_message.then(|| messages.next()).flatten();
                    let kind: &str = row.col("kind")?;
                    let payload: Option<&str> = row.col("payload")?;
                    let kind = match decode_event(kind, payload)? {
                        Some(kind) => kind,
                        None => message_event(kind, payload, message)?,
                    };
                    events.push(ConversationEvent {
                        conversation_id: conversation,
                        seq: row.col("seq")?,
                        actor_id: UserId::from_uuid(row.col("actor_id")?),
                        created_at: row.col("created_at")?,
                        kind,
                    });
                }
                Ok(events)
            })
        })
        .await
    }
}

/// `$1` (a seq) clamped to conversation `$2`'s last seq: markers never point past the log.
const CLAMPED: &str =
    "least($1, (SELECT next_seq - 1 FROM conversation_counters WHERE conversation_id = $2))";

/// Runs a marker UPDATE (`$1` seq, `$2` conversation, `$3` user) that returns the marker.
async fn advance(
    tx: &Transaction<'_>,
    sql: &str,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, Failure> {
    let row = opt_row(tx, sql, &[&seq, &conversation.as_uuid(), &user.as_uuid()])
        .await?
        .ok_or(StoreError::NotFound(Missing::Member))?;
    Ok(row.col("marker")?)
}

impl PostgresStore {
    /// Moves the read marker (and the delivered one with it); returns it and the unread count.
    pub(crate) async fn mark_read_at(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<(Seq, i64), StoreError> {
        let sql = format!(
            "UPDATE conversation_members SET last_read_seq = greatest(last_read_seq, {CLAMPED}), \
             last_delivered_seq = greatest(last_delivered_seq, {CLAMPED}) \
             WHERE conversation_id = $2 AND user_id = $3 RETURNING last_read_seq AS marker"
        );
        self.write(|tx| -> Job<'_, (Seq, i64)> {
            let sql = sql.clone();
            Box::pin(async move {
                let marker = advance(tx, &sql, conversation, user, seq).await?;
                let unread: i64 = one_row(
                    tx,
                    "SELECT count(*) AS unread FROM messages WHERE conversation_id = $1 \
                     AND seq > $2 AND sender_id <> $3 AND deleted_at IS NULL",
                    &[&conversation.as_uuid(), &marker, &user.as_uuid()],
                )
                .await?
                .col("unread")?;
                Ok((marker, unread))
            })
        })
        .await
    }

    /// Moves the delivered marker; returns it.
    pub(crate) async fn mark_delivered_at(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError> {
        let sql = format!(
            "UPDATE conversation_members SET last_delivered_seq = greatest(last_delivered_seq, {CLAMPED}) \
             WHERE conversation_id = $2 AND user_id = $3 RETURNING last_delivered_seq AS marker"
        );
        self.write(|tx| -> Job<'_, Seq> {
            let sql = sql.clone();
            Box::pin(async move { advance(tx, &sql, conversation, user, seq).await })
        })
        .await
    }

    /// Every member's markers.
    pub(crate) async fn markers_of(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<MemberMarker>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT user_id, last_delivered_seq, last_read_seq, joined_seq \
                     FROM conversation_members WHERE conversation_id = $1",
                    &[&conversation.as_uuid()],
                )
                .await?;
                let mut markers = Vec::with_capacity(found.len());
                for row in found {
                    markers.push(MemberMarker {
                        user_id: UserId::from_uuid(row.col("user_id")?),
                        last_delivered_seq: row.col("last_delivered_seq")?,
                        last_read_seq: row.col("last_read_seq")?,
                        joined_seq: row.col("joined_seq")?,
                    });
                }
                Ok(markers)
            })
        })
        .await
    }
}
