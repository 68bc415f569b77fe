//! Sessions and refresh tokens in SQLite.

use hearth_domain::{DeviceName, SessionId, Timestamp, UserId};
use hearth_store::{
    NewRefreshToken, RefreshTokenRecord, SessionRecord, SessionStore, StoreError, TokenHash,
};
use rusqlite::params;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, micros, store_error};
use crate::statements::{decode_all, decode_opt, execute};
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

/// Records that `token`'s session got it: used then, from its address.
fn mark_used(tx: &Tx, token: &NewRefreshToken) -> Result<(), StoreError> {
    execute(
        tx,
        "UPDATE sessions SET last_used_at = ?, last_ip = ? WHERE id = ?",
        params![
            micros(token.issued_at),
            &token.ip,
            token.session_id.as_uuid()
        ],
    )
    .map_err(store_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(
        &self,
        first: NewRefreshToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let device = device.as_str().to_owned();
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "INSERT INTO sessions (id, user_id, created_at, device_name, last_used_at, last_ip) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                    params![
                        first.session_id.as_uuid(),
                        first.user_id.as_uuid(),
                        micros(first.issued_at),
                        device,
                        micros(first.issued_at),
                        &first.ip,
                    ],
                )
                .map_err(store_error)?;
                insert_token(tx, &first)
            })
            .await
    }

    async fn sessions_of(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    "SELECT s.id, s.device_name, s.created_at, \
                            coalesce(s.last_used_at, s.created_at) AS last_used_at, \
                            coalesce(s.last_ip, '') AS last_ip \
                     FROM sessions s \
                     WHERE s.user_id = ? AND s.revoked_at IS NULL \
                       AND EXISTS (SELECT 1 FROM refresh_tokens t \
                                   WHERE t.session_id = s.id AND t.revoked_at IS NULL \
                                     AND t.expires_at > ?) \
                     ORDER BY last_used_at DESC, s.id",
                    params![user.as_uuid(), micros(at)],
                    |row| {
                        Ok(SessionRecord {
                            id: SessionId::from_uuid(row.column("id")?),
                            device_name: DeviceName::from_trusted(row.column("device_name")?),
                            created_at: from_micros(row.column("created_at")?),
                            last_used_at: from_micros(row.column("last_used_at")?),
                            last_ip: row.column("last_ip")?,
                        })
                    },
                )
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
                mark_used(tx, &new)?;
                Ok(true)
            })
            .await
    }

    async fn add_refresh_token(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                insert_token(tx, &token)?;
                mark_used(tx, &token)
            })
            .await
    }

    async fn revoke_session(&self, session: SessionId, at: Timestamp) -> Result<(), StoreError> {
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

    async fn sessions_ended_since(&self, since: Timestamp) -> Result<Vec<SessionId>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    "SELECT id FROM sessions WHERE revoked_at >= ?",
                    params![micros(since)],
                    |row| Ok(SessionId::from_uuid(row.column("id")?)),
                )
            })
            .await
    }
}
