//! Sessions and refresh tokens in PostgreSQL.

use deadpool_postgres::Transaction;
use hearth_domain::{DeviceName, SessionId, Timestamp, UserId};
use hearth_store::{
    NewRefreshToken, RefreshTokenRecord, SessionRecord, SessionStore, StoreError, TokenHash,
};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, exec, opt_row, rows};
use crate::error::Failure;

async fn insert_token(tx: &Transaction<'_>, token: &NewRefreshToken) -> Result<(), Failure> {
    exec(
        tx,
        "INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &token.id,
            &token.session_id.as_uuid(),
            &token.user_id.as_uuid(),
            &token.token_hash.0,
            &token.issued_at,
            &token.expires_at,
        ],
    )
    .await?;
    Ok(())
}

/// Records that `token`'s session got it: used then, from its address.
async fn mark_used(tx: &Transaction<'_>, token: &NewRefreshToken) -> Result<(), Failure> {
    exec(
        tx,
        "UPDATE sessions SET last_used_at = $1, last_ip = $2 WHERE id = $3",
        &[&token.issued_at, &token.ip, &token.session_id.as_uuid()],
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl SessionStore for PostgresStore {
    async fn create_session(
        &self,
        first: NewRefreshToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let device = device.as_str().to_owned();
        self.write(|tx| -> Job<'_, ()> {
            let (first, device) = (first.clone(), device.clone());
            Box::pin(async move {
                exec(
                    tx,
                    "INSERT INTO sessions (id, user_id, created_at, device_name, last_used_at, last_ip) \
                     VALUES ($1, $2, $3, $4, $3, $5)",
                    &[
                        &first.session_id.as_uuid(),
                        &first.user_id.as_uuid(),
                        &first.issued_at,
                        &device,
                        &first.ip,
                    ],
                )
                .await?;
                insert_token(tx, &first).await
            })
        })
        .await
    }

    async fn sessions_of(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<SessionRecord>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT s.id, s.device_name, s.created_at, \
                            coalesce(s.last_used_at, s.created_at) AS last_used_at, \
                            coalesce(s.last_ip, '') AS last_ip \
                     FROM sessions s \
                     WHERE s.user_id = $1 AND s.revoked_at IS NULL \
                       AND EXISTS (SELECT 1 FROM refresh_tokens t \
                                   WHERE t.session_id = s.id AND t.revoked_at IS NULL \
                                     AND t.expires_at > $2) \
                     ORDER BY last_used_at DESC, s.id",
                    &[&user.as_uuid(), &at],
                )
                .await?;
                Ok(found
                    .iter()
                    .map(|row| {
                        Ok(SessionRecord {
                            id: SessionId::from_uuid(row.col("id")?),
                            device_name: DeviceName::from_trusted(row.col("device_name")?),
                            created_at: row.col("created_at")?,
                            last_used_at: row.col("last_used_at")?,
                            last_ip: row.col("last_ip")?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?)
            })
        })
        .await
    }

    async fn refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let hash = hash.0.clone();
        self.read(move |c| -> Job<'_, Option<RefreshTokenRecord>> {
            Box::pin(async move {
                let Some(row) = opt_row(
                    c,
                    "SELECT t.id, t.session_id, t.user_id, t.issued_at, t.expires_at, t.revoked_at, \
                            t.replaced_by_token_id, s.revoked_at AS session_revoked_at \
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
                     WHERE t.token_hash = $1",
                    &[&hash],
                )
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(RefreshTokenRecord {
                    id: row.col("id")?,
                    session_id: SessionId::from_uuid(row.col("session_id")?),
                    user_id: UserId::from_uuid(row.col("user_id")?),
                    issued_at: row.col("issued_at")?,
                    expires_at: row.col("expires_at")?,
                    revoked_at: row.col("revoked_at")?,
                    replaced_by_token_id: row.col("replaced_by_token_id")?,
                    session_revoked_at: row.col("session_revoked_at")?,
                }))
            })
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old: Uuid,
        new: NewRefreshToken,
    ) -> Result<bool, StoreError> {
        self.write(|tx| -> Job<'_, bool> {
            let new = new.clone();
            Box::pin(async move {
                // The row lock of the UPDATE makes a concurrent rotation of `old` wait and
                // then match nothing.
                let updated = exec(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = $1, replaced_by_token_id = $2 \
                     WHERE id = $3 AND revoked_at IS NULL \
                       AND (SELECT revoked_at FROM sessions WHERE id = refresh_tokens.session_id) IS NULL",
                    &[&new.issued_at, &new.id, &old],
                )
                .await?;
                if updated == 0 {
                    return Ok(false);
                }
                insert_token(tx, &new).await?;
                mark_used(tx, &new).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn add_refresh_token(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            let token = token.clone();
            Box::pin(async move {
                insert_token(tx, &token).await?;
                mark_used(tx, &token).await
            })
        })
        .await
    }

    async fn revoke_session(&self, session: SessionId, at: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            Box::pin(async move {
                exec(
                    tx,
                    "UPDATE sessions SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2",
                    &[&at, &session.as_uuid()],
                )
                .await?;
                exec(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE session_id = $2",
                    &[&at, &session.as_uuid()],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn sessions_ended_since(&self, since: Timestamp) -> Result<Vec<SessionId>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<SessionId>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT id FROM sessions WHERE revoked_at >= $1",
                    &[&since],
                )
                .await?;
                found
                    .iter()
                    .map(|row| Ok(SessionId::from_uuid(row.col("id")?)))
                    .collect()
            })
        })
        .await
    }
}
