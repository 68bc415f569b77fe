//! Sessions and refresh tokens in SQLite.

use hearth_domain::{SessionId, UserId};
use hearth_store::{NewRefreshToken, RefreshTokenRecord, SessionStore, StoreError, TokenHash};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, store_error};

async fn insert_token(
    conn: &mut SqliteConnection,
    token: &NewRefreshToken,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, issued_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(token.id)
    .bind(token.session_id.as_uuid())
    .bind(token.user_id.as_uuid())
    .bind(&token.token_hash.0)
    .bind(micros(token.issued_at))
    .bind(micros(token.expires_at))
    .execute(conn)
    .await
    .map_err(store_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, first: NewRefreshToken) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)")
                        .bind(first.session_id.as_uuid())
                        .bind(first.user_id.as_uuid())
                        .bind(micros(first.issued_at))
                        .execute(&mut *conn)
                        .await
                        .map_err(store_error)?;
                    insert_token(conn, &first).await
                })
            })
            .await
    }

    async fn refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.session_id, t.user_id, t.issued_at, t.expires_at, t.revoked_at, \
                    t.replaced_by_token_id, s.revoked_at AS session_revoked_at \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             WHERE t.token_hash = ?",
        )
        .bind(&hash.0)
        .fetch_optional(&self.readers)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let time = |name: &str| -> Result<Option<i64>, StoreError> {
            row.try_get(name).map_err(store_error)
        };
        Ok(Some(RefreshTokenRecord {
            id: row.try_get("id").map_err(store_error)?,
            session_id: SessionId::from_uuid(row.try_get("session_id").map_err(store_error)?),
            user_id: UserId::from_uuid(row.try_get("user_id").map_err(store_error)?),
            issued_at: from_micros(row.try_get("issued_at").map_err(store_error)?),
            expires_at: from_micros(row.try_get("expires_at").map_err(store_error)?),
            revoked_at: time("revoked_at")?.map(from_micros),
            replaced_by_token_id: row
                .try_get::<Option<Uuid>, _>("replaced_by_token_id")
                .map_err(store_error)?,
            session_revoked_at: time("session_revoked_at")?.map(from_micros),
        }))
    }

    async fn rotate_refresh_token(
        &self,
        old: Uuid,
        new: NewRefreshToken,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let updated = sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = ?, replaced_by_token_id = ? \
                         WHERE id = ? AND revoked_at IS NULL \
                           AND (SELECT revoked_at FROM sessions WHERE id = refresh_tokens.session_id) IS NULL",
                    )
                    .bind(micros(new.issued_at))
                    .bind(new.id)
                    .bind(old)
                    .execute(&mut *conn)
                    .await
                    .map_err(store_error)?;
                    if updated.rows_affected() == 0 {
                        return Ok(false);
                    }
                    insert_token(conn, &new).await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn add_refresh_token(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| Box::pin(async move { insert_token(conn, &token).await }))
            .await
    }

    async fn revoke_session(
        &self,
        session: SessionId,
        at: hearth_domain::Timestamp,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let at = micros(at);
                    sqlx::query("UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")
                        .bind(at)
                        .bind(session.as_uuid())
                        .execute(&mut *conn)
                        .await
                        .map_err(store_error)?;
                    sqlx::query("UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE session_id = ?")
                        .bind(at)
                        .bind(session.as_uuid())
                        .execute(&mut *conn)
                        .await
                        .map_err(store_error)?;
                    Ok(())
                })
            })
            .await
    }
}
