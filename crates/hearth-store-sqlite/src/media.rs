//! Media records in SQLite.

use hearth_domain::{ConversationId, FileName, MediaId, Seq, Thumbnail, Timestamp, UserId};
use hearth_store::stored::{
    MEDIA_COLUMNS, THUMBNAILED_TYPES_SQL, media_status, size_from, stored_size, stored_thumbnails,
    thumbnails_from,
};
use hearth_store::{MediaRecord, MediaStore, Missing, NewMedia, StoreError};
use rusqlite::{Row, params};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, micros, missing_row, store_error};
use crate::statements::{decode_all, decode_opt, execute};

/// Reads a media record from a row with the columns of `MEDIA_COLUMNS` (by name: a join may
/// select them as `md.*`).
pub(crate) fn media_from_row(row: &Row<'_>) -> Result<MediaRecord, StoreError> {
    Ok(MediaRecord {
        id: MediaId::from_uuid(row.column::<Uuid>("id")?),
        owner_id: UserId::from_uuid(row.column::<Uuid>("owner_id")?),
        status: media_status(row.column("status")?)?,
        file_name: FileName::from_trusted(row.column("file_name")?),
        declared_size: size_from(row.column("declared_size")?)?,
        size: size_from(row.column("size")?)?,
        content_type: row.column("content_type")?,
        storage_key: row.column("storage_key")?,
        created_at: from_micros(row.column("created_at")?),
        expires_at: row.column::<Option<i64>>("expires_at")?.map(from_micros),
        confirmed_at: row.column::<Option<i64>>("confirmed_at")?.map(from_micros),
        thumbnails: thumbnails_from(row.column("thumbnails")?)?,
    })
}

#[async_trait::async_trait]
impl MediaStore for SqliteStore {
    async fn create_media(&self, media: NewMedia) -> Result<MediaRecord, StoreError> {
        self.writer
            .write(move |tx| {
                let sql = format!(
                    "INSERT INTO media (id, owner_id, status, file_name, declared_size, \
                     storage_key, created_at, expires_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?) \
                     RETURNING {MEDIA_COLUMNS}"
                );
                let mut statement = tx.prepare_cached(&sql).map_err(store_error)?;
                let mut rows = statement
                    .query(params![
                        media.id.as_uuid(),
                        media.owner_id.as_uuid(),
                        media.file_name.as_str(),
                        media.declared_size.map(stored_size),
                        media.storage_key,
                        micros(media.created_at),
                        micros(media.expires_at),
                    ])
                    .map_err(missing_row(Missing::User))?;
                let row = rows
                    .next()
                    .map_err(missing_row(Missing::User))?
                    .ok_or_else(|| StoreError::Backend("an inserted row vanished".into()))?;
                media_from_row(row)
            })
            .await
    }

    async fn media(&self, id: MediaId) -> Result<Option<MediaRecord>, StoreError> {
        let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = ?");
        self.readers
            .read(move |conn| decode_opt(conn, &sql, params![id.as_uuid()], media_from_row))
            .await
    }

    async fn confirm_media(
        &self,
        id: MediaId,
        size: u64,
        content_type: &str,
        at: Timestamp,
    ) -> Result<MediaRecord, StoreError> {
        let content_type = content_type.to_owned();
        self.writer
            .write(move |tx| {
                let sql = format!(
                    "UPDATE media SET status = 'ready', size = ?, content_type = ?, \
                     confirmed_at = ?, expires_at = NULL WHERE id = ? AND status = 'pending' \
                     RETURNING {MEDIA_COLUMNS}"
                );
                decode_opt(
                    tx,
                    &sql,
                    params![stored_size(size), content_type, micros(at), id.as_uuid()],
                    media_from_row,
                )?
                .ok_or(StoreError::NotFound(Missing::Media))
            })
            .await
    }

    async fn expired_media(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE status = 'pending' AND expires_at <= ? \
             ORDER BY expires_at, id LIMIT ?"
        );
        self.readers
            .read(move |conn| decode_all(conn, &sql, params![micros(now), limit], media_from_row))
            .await
    }

    async fn media_of(
        &self,
        owner: UserId,
        after: Option<MediaId>,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE owner_id = ?1 AND (?2 IS NULL OR id > ?2) \
             ORDER BY id LIMIT ?3"
        );
        let after = after.map(|id| id.as_uuid());
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    &sql,
                    params![owner.as_uuid(), after, limit],
                    media_from_row,
                )
            })
            .await
    }

    async fn media_awaiting_thumbnails(&self, limit: u32) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE status = 'ready' AND thumbnails IS NULL \
             AND content_type IN {THUMBNAILED_TYPES_SQL} ORDER BY confirmed_at, id LIMIT ?"
        );
        self.readers
            .read(move |conn| decode_all(conn, &sql, params![limit], media_from_row))
            .await
    }

    async fn set_thumbnails(
        &self,
        id: MediaId,
        thumbnails: &[Thumbnail],
    ) -> Result<bool, StoreError> {
        let stored = stored_thumbnails(thumbnails)?;
        self.writer
            .write(move |tx| {
                let changed = execute(
                    tx,
                    "UPDATE media SET thumbnails = ? WHERE id = ? AND thumbnails IS NULL",
                    params![stored, id.as_uuid()],
                )
                .map_err(store_error)?;
                Ok(changed > 0)
            })
            .await
    }

    async fn delete_media(&self, id: MediaId) -> Result<bool, StoreError> {
        self.writer
            .write(move |tx| {
                let deleted = execute(tx, "DELETE FROM media WHERE id = ?", params![id.as_uuid()])
                    .map_err(store_error)?;
                Ok(deleted > 0)
            })
            .await
    }

    async fn attachment_places(
        &self,
        id: MediaId,
        member: UserId,
    ) -> Result<Vec<(ConversationId, Seq)>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    "SELECT m.conversation_id, max(m.seq) AS seq FROM message_attachments a \
                     JOIN messages m ON m.id = a.message_id \
                     JOIN conversation_members cm ON cm.conversation_id = m.conversation_id \
                         AND cm.user_id = ? \
                     WHERE a.media_id = ? AND m.deleted_at IS NULL GROUP BY m.conversation_id",
                    params![member.as_uuid(), id.as_uuid()],
                    |row| {
                        Ok((
                            ConversationId::from_uuid(row.column("conversation_id")?),
                            row.column::<i64>("seq")?,
                        ))
                    },
                )
            })
            .await
    }
}
