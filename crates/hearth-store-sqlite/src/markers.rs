//! Read and delivered markers in SQLite: forward-only, clamped to the log.

use crate::readers::Readers;
use hearth_domain::{ConversationId, MemberMarker, Seq, UserId};
use hearth_store::StoreError;
use rusqlite::params;
use uuid::Uuid;

use crate::codec::{store_error, write_error};
use crate::tx::{Tx, query_one, query_opt};

/// Messages from others after `after` that are not deleted.
fn unread_count(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    after: Seq,
) -> Result<i64, StoreError> {
    query_one(
        tx,
        "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND seq > ? AND sender_id <> ? \
         AND deleted_at IS NULL",
        params![conversation.as_uuid(), after, user.as_uuid()],
        |row| row.get(0),
    )
    .map_err(write_error)
}

/// `?1` (a seq) clamped to conversation `?2`'s last seq: markers never point past the log.
const CLAMPED: &str =
    "min(?1, (SELECT next_seq - 1 FROM conversation_counters WHERE conversation_id = ?2))";

/// Runs a marker UPDATE (`?1` seq, `?2` conversation, `?3` user) that returns the marker.
fn advance(
    tx: &Tx,
    sql: &str,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, StoreError> {
    query_opt(
        tx,
        sql,
        params![seq, conversation.as_uuid(), user.as_uuid()],
        |row| row.get::<_, i64>(0),
    )
    .map_err(write_error)?
    .ok_or(StoreError::NotFound("member"))
}

/// Moves the read marker (and the delivered one with it); returns it and the unread count.
pub(crate) fn mark_read(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<(Seq, i64), StoreError> {
    let sql = format!(
        "UPDATE conversation_members SET last_read_seq = max(last_read_seq, {CLAMPED}), \
         last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_read_seq"
    );
    let marker = advance(tx, &sql, conversation, user, seq)?;
    let unread = unread_count(tx, conversation, user, marker)?;
    Ok((marker, unread))
}

/// Moves the delivered marker; returns it.
pub(crate) fn mark_delivered(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, StoreError> {
    let sql = format!(
        "UPDATE conversation_members SET last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_delivered_seq"
    );
    advance(tx, &sql, conversation, user, seq)
}

/// Every member's markers.
pub(crate) async fn member_markers(
    readers: &Readers,
    conversation: ConversationId,
) -> Result<Vec<MemberMarker>, StoreError> {
    let rows: Vec<(Uuid, i64, i64, i64)> = readers
        .read(async |conn| {
            sqlx::query_as(
                "SELECT user_id, last_delivered_seq, last_read_seq, joined_seq \
                 FROM conversation_members WHERE conversation_id = ?",
            )
            .bind(conversation.as_uuid())
            .fetch_all(conn)
            .await
            .map_err(store_error)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user, delivered, read, joined)| MemberMarker {
            user_id: UserId::from_uuid(user),
            last_delivered_seq: delivered,
            last_read_seq: read,
            joined_seq: joined,
        })
        .collect())
}
