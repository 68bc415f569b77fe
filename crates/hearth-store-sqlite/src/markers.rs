//! Read and delivered markers in SQLite: forward-only, clamped to the log.

use hearth_domain::{ConversationId, MemberMarker, Seq, UserId};
use hearth_store::StoreError;
use sqlx::{AssertSqlSafe, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::codec::store_error;

/// Messages from others after `after` that are not deleted.
async fn unread_count(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    after: Seq,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND seq > ? AND sender_id <> ? \
         AND deleted_at IS NULL",
    )
    .bind(conversation.as_uuid())
    .bind(after)
    .bind(user.as_uuid())
    .fetch_one(conn)
    .await
    .map_err(store_error)
}

/// `?1` (a seq) clamped to conversation `?2`'s last seq: markers never point past the log.
const CLAMPED: &str =
    "min(?1, (SELECT next_seq - 1 FROM conversation_counters WHERE conversation_id = ?2))";

/// Runs a marker UPDATE (`?1` seq, `?2` conversation, `?3` user) that returns the marker.
async fn advance(
    conn: &mut SqliteConnection,
    sql: String,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, StoreError> {
    let marker: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(seq)
        .bind(conversation.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(store_error)?;
    marker.ok_or(StoreError::NotFound("member"))
}

/// Moves the read marker (and the delivered one with it); returns it and the unread count.
pub(crate) async fn mark_read(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<(Seq, i64), StoreError> {
    let sql = format!(
        "UPDATE conversation_members SET last_read_seq = max(last_read_seq, {CLAMPED}), \
         last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_read_seq"
    );
    let marker = advance(conn, sql, conversation, user, seq).await?;
    let unread = unread_count(conn, conversation, user, marker).await?;
    Ok((marker, unread))
}

/// Moves the delivered marker; returns it.
pub(crate) async fn mark_delivered(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    seq: Seq,
) -> Result<Seq, StoreError> {
    let sql = format!(
        "UPDATE conversation_members SET last_delivered_seq = max(last_delivered_seq, {CLAMPED}) \
         WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_delivered_seq"
    );
    advance(conn, sql, conversation, user, seq).await
}

/// Every member's markers.
pub(crate) async fn member_markers(
    readers: &SqlitePool,
    conversation: ConversationId,
) -> Result<Vec<MemberMarker>, StoreError> {
    let rows: Vec<(Uuid, i64, i64, i64)> = sqlx::query_as(
        "SELECT user_id, last_delivered_seq, last_read_seq, joined_seq FROM conversation_members \
         WHERE conversation_id = ?",
    )
    .bind(conversation.as_uuid())
    .fetch_all(readers)
    .await
    .map_err(store_error)?;
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
