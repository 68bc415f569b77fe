//! Read and delivered markers in SQLite: forward-only, clamped to the log.

use hearth_domain::{ConversationId, MemberMarker, Seq, UserId};
use hearth_store::{Missing, StoreError};
use rusqlite::params;
use uuid::Uuid;

use crate::codec::store_error;
use crate::readers::Readers;
use crate::statements::{decode_all, query_one, query_opt};
use crate::tx::Tx;

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
    .map_err(store_error)
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
    .map_err(store_error)?
    .ok_or(StoreError::NotFound(Missing::Member))
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
    readers
        .read(move |conn| {
            decode_all(
                conn,
                "SELECT user_id, last_delivered_seq, last_read_seq, joined_seq \
                 FROM conversation_members WHERE conversation_id = ?",
                params![conversation.as_uuid()],
                |row| {
                    Ok(MemberMarker {
                        user_id: UserId::from_uuid(row.get::<_, Uuid>(0).map_err(store_error)?),
                        last_delivered_seq: row.get(1).map_err(store_error)?,
                        last_read_seq: row.get(2).map_err(store_error)?,
                        joined_seq: row.get(3).map_err(store_error)?,
                    })
                },
            )
        })
        .await
}
