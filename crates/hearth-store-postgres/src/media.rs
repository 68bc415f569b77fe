//! Media records in PostgreSQL.

use hearth_domain::{ConversationId, FileName, MediaId, Seq, Thumbnail, Timestamp, UserId};
use hearth_store::stored::{
    MEDIA_COLUMNS, THUMBNAILED_TYPES_SQL, media_status, size_from, stored_size, stored_thumbnails,
    thumbnails_from,
};
use hearth_store::{MediaRecord, MediaStore, Missing, NewMedia, StoreError};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, opt_row, rows, rows_raw};
use crate::error::{Violation, violation};

/// Reads a media record from a row with the columns of `MEDIA_COLUMNS` (by name: a join may
/// select them as `md.*`).
pub(crate) fn media_from_row(row: &Row) -> Result<MediaRecord, StoreError> {
    Ok(MediaRecord {
        id: MediaId::from_uuid(row.col::<Uuid>("id")?),
        owner_id: UserId::from_uuid(row.col::<Uuid>("owner_id")?),
        status: media_status(row.col("status")?)?,
        file_name: FileName::from_trusted(row.col("file_name")?),
        declared_size: size_from(row.col("declared_size")?)?,
        size: size_from(row.col("size")?)?,
        content_type: row.col("content_type")?,
        storage_key: row.col("storage_key")?,
        created_at: row.col("created_at")?,
        expires_at: row.col("expires_at")?,
        confirmed_at: row.col("confirmed_at")?,
        thumbnails: thumbnails_from(row.col("thumbnails")?)?,
    })
}

#[async_trait::async_trait]
impl MediaStore for PostgresStore {
    async fn create_media(&self, media: NewMedia) -> Result<MediaRecord, StoreError> {
        let sql = format!(
            "INSERT INTO media (id, owner_id, status, file_name, declared_size, storage_key, \
             created_at, expires_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7) \
             RETURNING {MEDIA_COLUMNS}"
        );
        let (created_at, expires_at) = (at_micros(media.created_at), at_micros(media.expires_at));
        self.write(move |tx| -> Job<'_, MediaRecord> {
            let (sql, media) = (sql.clone(), media.clone());
            Box::pin(async move {
                let found = rows_raw(
                    tx,
                    &sql,
                    &[
                        &media.id.as_uuid(),
                        &media.owner_id.as_uuid(),
                        &media.file_name.as_str(),
                        &media.declared_size.map(stored_size),
                        &media.storage_key,
                        &created_at,
                        &expires_at,
                    ],
                )
                .await
                .map_err(|err| {
                    violation(err, |found| match found {
                        Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
                        Violation::Unique(_) => None,
                    })
                })?;
                let row = found
                    .first()
                    .ok_or_else(|| StoreError::Backend("an inserted row vanished".into()))?;
                Ok(media_from_row(row)?)
            })
        })
        .await
    }

    async fn media(&self, id: MediaId) -> Result<Option<MediaRecord>, StoreError> {
        let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = $1");
        self.read(move |c| -> Job<'_, Option<MediaRecord>> {
            let sql = sql.clone();
            Box::pin(async move {
                match opt_row(c, &sql, &[&id.as_uuid()]).await? {
                    Some(row) => Ok(Some(media_from_row(&row)?)),
                    None => Ok(None),
                }
            })
        })
        .await
    }

    async fn confirm_media(
        &self,
        id: MediaId,
        size: u64,
        content_type: &str,
        at: Timestamp,
    ) -> Result<MediaRecord, StoreError> {
        let sql = format!(
            "UPDATE media SET status = 'ready', size = $1, content_type = $2, confirmed_at = $3, \
             expires_at = NULL WHERE id = $4 AND status = 'pending' RETURNING {MEDIA_COLUMNS}"
        );
        let (content_type, at) = (content_type.to_owned(), at_micros(at));
        self.write(move |tx| -> Job<'_, MediaRecord> {
            let (sql, content_type) = (sql.clone(), content_type.clone());
            Box::pin(async move {
                let row = opt_row(
                    tx,
                    &sql,
                    &[&stored_size(size), &content_type, &at, &id.as_uuid()],
                )
                .await?
                .ok_or(StoreError::NotFound(Missing::Media))?;
                Ok(media_from_row(&row)?)
            })
        })
        .await
    }

    async fn expired_media(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE status = 'pending' AND expires_at <= $1 \
             ORDER BY expires_at, id LIMIT $2"
        );
        let limit = i64::from(limit);
        self.read(move |c| -> Job<'_, Vec<MediaRecord>> {
            let sql = sql.clone();
            Box::pin(async move {
                let found = rows(c, &sql, &[&now, &limit]).await?;
                Ok(found.iter().map(media_from_row).collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn media_of(
        &self,
        owner: UserId,
        after: Option<MediaId>,
        limit: u32,
    ) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE owner_id = $1 \
             AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let limit = i64::from(limit);
        let after = after.map(|id| id.as_uuid());
        self.read(move |c| -> Job<'_, Vec<MediaRecord>> {
            let sql = sql.clone();
            Box::pin(async move {
                let found = rows(c, &sql, &[&owner.as_uuid(), &after, &limit]).await?;
                Ok(found.iter().map(media_from_row).collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn media_awaiting_thumbnails(&self, limit: u32) -> Result<Vec<MediaRecord>, StoreError> {
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE status = 'ready' AND thumbnails IS NULL \
             AND content_type IN {THUMBNAILED_TYPES_SQL} ORDER BY confirmed_at, id LIMIT $1"
        );
        let limit = i64::from(limit);
        self.read(move |c| -> Job<'_, Vec<MediaRecord>> {
            let sql = sql.clone();
            Box::pin(async move {
                let found = rows(c, &sql, &[&limit]).await?;
                Ok(found.iter().map(media_from_row).collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn set_thumbnails(
        &self,
        id: MediaId,
        thumbnails: &[Thumbnail],
    ) -> Result<bool, StoreError> {
        let stored = stored_thumbnails(thumbnails)?;
        self.write(move |tx| -> Job<'_, bool> {
            let stored = stored.clone();
            Box::pin(async move {
                let changed = exec(
                    tx,
                    "UPDATE media SET thumbnails = $1 WHERE id = $2 AND thumbnails IS NULL",
                    &[&stored, &id.as_uuid()],
                )
                .await?;
                Ok(changed > 0)
            })
        })
        .await
    }

    async fn delete_media(&self, id: MediaId) -> Result<bool, StoreError> {
        self.write(move |tx| -> Job<'_, bool> {
            Box::pin(async move {
                let deleted = exec(tx, "DELETE FROM media WHERE id = $1", &[&id.as_uuid()]).await?;
                Ok(deleted > 0)
            })
        })
        .await
    }

    async fn attachment_places(
        &self,
        id: MediaId,
        member: UserId,
    ) -> Result<Vec<(ConversationId, Seq)>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<(ConversationId, Seq)>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT m.conversation_id, max(m.seq) AS seq FROM message_attachments a \
                     JOIN messages m ON m.id = a.message_id \
                     JOIN conversation_members cm ON cm.conversation_id = m.conversation_id \
                         AND cm.user_id = $1 \
                     WHERE a.media_id = $2 AND m.deleted_at IS NULL GROUP BY m.conversation_id",
                    &[&member.as_uuid(), &id.as_uuid()],
                )
                .await?;
                let mut places = Vec::with_capacity(found.len());
                for row in &found {
                    places.push((
                        ConversationId::from_uuid(row.col("conversation_id")?),
                        row.col::<i64>("seq")?,
                    ));
                }
                Ok(places)
            })
        })
        .await
    }
}
