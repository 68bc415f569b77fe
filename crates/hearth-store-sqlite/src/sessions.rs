//! Sessions and refresh tokens in SQLite.

use hearth_domain::{SessionId, UserId};
use hearth_store::{NewRefreshToken, RefreshTokenRecord, SessionStore, StoreError, TokenHash};
use rusqlite::params;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, micros, store_error};
use crate::statements::{decode_opt, execute};
use crate::tx::Tx;

fn insert_token(tx: &Tx, token: &NewRefreshToken) -> Result<(), StoreError> {
    execute(
        tx,
        "INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, issued_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        params![
            token.id,
            token.session_id.as_uuid(),
            token.user_id.as_uuid(),
            &token.token_hash.0,
            micros(token.issued_at),
            micros(token.expires_at),
        ],
    )
    .map_err(store_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, first: NewRefreshToken) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)",
                    params![
                        first.session_id.as_uuid(),
                        first.user_id.as_uuid(),
                        micros(first.issued_at),
                    ],
                )
                .map_err(store_error)?;
                insert_token(tx, &first)
            })
            .await
    }

    async fn refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let hash = hash.0.clone();
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    "SELECT t.id, t.session_id, t.user_id, t.issued_at, t.expires_at, t.revoked_at, \
                            t.replaced_by_token_id, s.revoked_at AS session_revoked_at \
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
                     WHERE t.token_hash = ?",
                    params![hash],
                    |row| {
                        let time = |name: &str| -> Result<Option<i64>, StoreError> { row.column(name) };
                        Ok(RefreshTokenRecord {
                            id: row.column("id")?,
                            session_id: SessionId::from_uuid(row.column("session_id")?),
                            user_id: UserId::from_uuid(row.column("user_id")?),
                            issued_at: from_micros(row.column("issued_at")?),
                            expires_at: from_micros(row.column("expires_at")?),
                            revoked_at: time("revoked_at")?.map(from_micros),
                            replaced_by_token_id: row.column("replaced_by_token_id")?,
                            session_revoked_at: time("session_revoked_at")?.map(from_micros),
                        })
                    },
                )
            })
            .await
    }

    async fn rotate_refresh_token(
        &self,
        old: Uuid,
        new: NewRefreshToken,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |tx| {
                let updated = execute(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = ?, replaced_by_token_id = ? \
                     WHERE id = ? AND revoked_at IS NULL \
                       AND (SELECT revoked_at FROM sessions WHERE id = refresh_tokens.session_id) IS NULL",
                    params![micros(new.issued_at), new.id, old],
                )
                .map_err(store_error)?;
                if updated == 0 {
                    return Ok(false);
                }
                insert_token(tx, &new)?;
                Ok(true)
            })
            .await
    }

    async fn add_refresh_token(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        self.writer.write(move |tx| insert_token(tx, &token)).await
    }

    async fn revoke_session(
        &self,
        session: SessionId,
        at: hearth_domain::Timestamp,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let at = micros(at);
                execute(
                    tx,
                    "UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                    params![at, session.as_uuid()],
                )
                .map_err(store_error)?;
                execute(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE session_id = ?",
                    params![at, session.as_uuid()],
                )
                .map_err(store_error)?;
                Ok(())
            })
            .await
    }
}
