//! Account administration and mailed tokens in SQLite.

use hearth_domain::{SessionId, Timestamp, UserId};
use hearth_store::{
    Account, AccountStore, ConflictKind, ErasedAccount, Missing, NewAccountToken, StoreError,
    TokenHash, TokenPurpose, UsedToken,
};
use rusqlite::{Row, params};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, is_unique_violation, micros, store_error};
use crate::statements::{decode_all, decode_opt, execute};
use crate::users::{USER_COLUMNS, user_from_row};

fn account_from_row(row: &Row<'_>) -> Result<Account, StoreError> {
    Ok(Account {
        user: user_from_row(row)?,
        email: row.column("email")?,
        disabled_at: row.column::<Option<i64>>("disabled_at")?.map(from_micros),
    })
}

#[async_trait::async_trait]
impl AccountStore for SqliteStore {
    async fn account(&self, user: UserId) -> Result<Option<Account>, StoreError> {
        let sql =
            format!("SELECT {USER_COLUMNS}, u.email, u.disabled_at FROM users u WHERE u.id = ?");
        self.readers
            .read(move |conn| decode_opt(conn, &sql, params![user.as_uuid()], account_from_row))
            .await
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.email, u.disabled_at FROM users u ORDER BY u.username"
        );
        self.readers
            .read(move |conn| decode_all(conn, &sql, [], account_from_row))
            .await
    }

    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    "SELECT password_hash FROM users WHERE id = ?",
                    params![user.as_uuid()],
                    |row| row.column("password_hash"),
                )
            })
            .await
    }

    async fn set_password(
        &self,
        user: UserId,
        password_hash: String,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let changed = execute(
                    tx,
                    "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                    params![password_hash, micros(at), user.as_uuid()],
                )
                .map_err(store_error)?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User));
                }
                Ok(())
            })
            .await
    }

    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let changed = execute(
                    tx,
                    "UPDATE users SET disabled_at = ? WHERE id = ?",
                    params![at.map(micros), user.as_uuid()],
                )
                .map_err(store_error)?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User));
                }
                Ok(())
            })
            .await
    }

    async fn erase_account(&self, erased: ErasedAccount) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let (id, at) = (erased.user.as_uuid(), micros(erased.at));
                let changed = execute(
                    tx,
                    "UPDATE users SET username = ?, display_name = ?, email = NULL, about = NULL, avatar = NULL, \
                            password_hash = '', email_verified_at = NULL, \
                            disabled_at = coalesce(disabled_at, ?), deleted_at = ?, updated_at = ? \
                     WHERE id = ?",
                    params![
                        erased.username.as_str(),
                        erased.display_name.as_str(),
                        at,
                        at,
                        at,
                        id
                    ],
                )
                .map_err(store_error)?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User));
                }
                for sql in [
                    "DELETE FROM external_identities WHERE user_id = ?",
                    "DELETE FROM sign_in_handoffs WHERE user_id = ?",
                    "DELETE FROM account_tokens WHERE user_id = ?",
                ] {
                    execute(tx, sql, params![id]).map_err(store_error)?;
                }
                Ok(())
            })
            .await
    }

    async fn revoke_sessions_of(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        self.writer
            .write(move |tx| {
                let keep = keep.map(|s| s.as_uuid());
                execute(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = ?1 \
                     WHERE revoked_at IS NULL AND session_id IN \
                       (SELECT id FROM sessions WHERE user_id = ?2 AND (?3 IS NULL OR id <> ?3))",
                    params![micros(at), user.as_uuid(), keep],
                )
                .map_err(store_error)?;
                let revoked = decode_all(
                    tx,
                    "UPDATE sessions SET revoked_at = ?1 \
                     WHERE user_id = ?2 AND revoked_at IS NULL AND (?3 IS NULL OR id <> ?3) \
                     RETURNING id",
                    params![micros(at), user.as_uuid(), keep],
                    |row| Ok(SessionId::from_uuid(row.column::<Uuid>("id")?)),
                )?;
                Ok(revoked)
            })
            .await
    }

    async fn mark_email_verified(
        &self,
        user: UserId,
        email: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let email = email.to_owned();
        self.writer
            .write(move |tx| {
                let changed = execute(
                    tx,
                    "UPDATE users SET email_verified_at = ? WHERE id = ? AND lower(email) = lower(?)",
                    params![micros(at), user.as_uuid(), email],
                )
                .map_err(store_error)?;
                Ok(changed == 1)
            })
            .await
    }

    async fn change_email(
        &self,
        user: UserId,
        email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let email = email.to_owned();
        self.writer
            .write(move |tx| {
                let changed = execute(
                    tx,
                    "UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?",
                    params![email, micros(at), micros(at), user.as_uuid()],
                )
                .map_err(|err| {
                    if is_unique_violation(&err) {
                        StoreError::Conflict(ConflictKind::EmailTaken)
                    } else {
                        store_error(err)
                    }
                })?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User));
                }
                Ok(())
            })
            .await
    }

    async fn add_account_token(&self, token: NewAccountToken) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "INSERT INTO account_tokens \
                     (token_hash, user_id, purpose, email, created_at, expires_at) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                    params![
                        token.token_hash.0,
                        token.user_id.as_uuid(),
                        token.purpose.as_str(),
                        token.email,
                        micros(token.created_at),
                        micros(token.expires_at),
                    ],
                )
                .map_err(store_error)?;
                Ok(())
            })
            .await
    }

    async fn use_account_token(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
        at: Timestamp,
    ) -> Result<Option<UsedToken>, StoreError> {
        let hash = hash.0.clone();
        self.writer
            .write(move |tx| {
                let used = decode_opt(
                    tx,
                    "UPDATE account_tokens SET used_at = ?1 \
                     WHERE token_hash = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1 \
                     RETURNING user_id, email",
                    params![micros(at), hash, purpose.as_str()],
                    |row| {
                        Ok(UsedToken {
                            user_id: UserId::from_uuid(row.column::<Uuid>("user_id")?),
                            email: row.column("email")?,
                        })
                    },
                )?;
                if let Some(used) = &used {
                    execute(
                        tx,
                        "UPDATE account_tokens SET used_at = ?1 \
                         WHERE user_id = ?2 AND purpose = ?3 AND used_at IS NULL",
                        params![micros(at), used.user_id.as_uuid(), purpose.as_str()],
                    )
                    .map_err(store_error)?;
                }
                Ok(used)
            })
            .await
    }
}
