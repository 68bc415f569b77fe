//! Account administration and mailed tokens in PostgreSQL.

use hearth_domain::{SessionId, Timestamp, UserId};
use hearth_store::{
    Account, AccountStore, ConflictKind, ErasedAccount, Missing, NewAccountToken, StoreError,
    TokenHash, TokenPurpose, UsedToken,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, exec_raw, opt_row, rows};
use crate::error::{Violation, violation};
use crate::rows::{USER_COLUMNS, user_from_row};

fn account_from_row(row: &Row) -> Result<Account, StoreError> {
    Ok(Account {
        user: user_from_row(row)?,
        email: row.col("email")?,
        disabled_at: row.col("disabled_at")?,
    })
}

#[async_trait::async_trait]
impl AccountStore for PostgresStore {
    async fn account(&self, user: UserId) -> Result<Option<Account>, StoreError> {
        let sql =
            format!("SELECT {USER_COLUMNS}, u.email, u.disabled_at FROM users u WHERE u.id = $1");
        self.read(move |c| -> Job<'_, Option<Account>> {
            let sql = sql.clone();
            Box::pin(async move {
                match opt_row(c, &sql, &[&user.as_uuid()]).await? {
                    Some(row) => Ok(Some(account_from_row(&row)?)),
                    None => Ok(None),
                }
            })
        })
        .await
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.email, u.disabled_at FROM users u ORDER BY u.username"
        );
        self.read(move |c| -> Job<'_, Vec<Account>> {
            let sql = sql.clone();
            Box::pin(async move {
                let found = rows(c, &sql, &[]).await?;
                Ok(found
                    .iter()
                    .map(account_from_row)
                    .collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError> {
        self.read(move |c| -> Job<'_, Option<String>> {
            Box::pin(async move {
                match opt_row(
                    c,
                    "SELECT password_hash FROM users WHERE id = $1",
                    &[&user.as_uuid()],
                )
                .await?
                {
                    Some(row) => Ok(Some(row.col("password_hash")?)),
                    None => Ok(None),
                }
            })
        })
        .await
    }

    async fn set_password(
        &self,
        user: UserId,
        password_hash: String,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let at = at_micros(at);
        self.write(|tx| -> Job<'_, ()> {
            let password_hash = password_hash.clone();
            Box::pin(async move {
                let changed = exec(
                    tx,
                    "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                    &[&password_hash, &at, &user.as_uuid()],
                )
                .await?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User).into());
                }
                Ok(())
            })
        })
        .await
    }

    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>) -> Result<(), StoreError> {
        let at = at.map(at_micros);
        self.write(|tx| -> Job<'_, ()> {
            Box::pin(async move {
                let changed = exec(
                    tx,
                    "UPDATE users SET disabled_at = $1 WHERE id = $2",
                    &[&at, &user.as_uuid()],
                )
                .await?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User).into());
                }
                Ok(())
            })
        })
        .await
    }

    async fn erase_account(&self, erased: ErasedAccount) -> Result<(), StoreError> {
        let at = at_micros(erased.at);
        let (id, username, display_name) = (
            erased.user.as_uuid(),
            erased.username.as_str().to_owned(),
            erased.display_name.as_str().to_owned(),
        );
        self.write(|tx| -> Job<'_, ()> {
            let (username, display_name) = (username.clone(), display_name.clone());
            Box::pin(async move {
                let changed = exec(
                    tx,
                    "UPDATE users SET username = $1, display_name = $2, email = NULL, about = NULL, avatar = NULL, \
                            password_hash = '', email_verified_at = NULL, \
                            disabled_at = coalesce(disabled_at, $3), deleted_at = $3, updated_at = $3 \
                     WHERE id = $4",
                    &[&username, &display_name, &at, &id],
                )
                .await?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User).into());
                }
                for sql in [
                    "DELETE FROM external_identities WHERE user_id = $1",
                    "DELETE FROM sign_in_handoffs WHERE user_id = $1",
                    "DELETE FROM account_tokens WHERE user_id = $1",
                ] {
                    exec(tx, sql, &[&id]).await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn revoke_sessions_of(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        let at = at_micros(at);
        let keep = keep.map(|s| s.as_uuid());
        self.write(|tx| -> Job<'_, Vec<SessionId>> {
            Box::pin(async move {
                exec(
                    tx,
                    "UPDATE refresh_tokens SET revoked_at = $1 \
                     WHERE revoked_at IS NULL AND session_id IN \
                       (SELECT id FROM sessions WHERE user_id = $2 \
                        AND ($3::uuid IS NULL OR id <> $3::uuid))",
                    &[&at, &user.as_uuid(), &keep],
                )
                .await?;
                let revoked = rows(
                    tx,
                    "UPDATE sessions SET revoked_at = $1 \
                     WHERE user_id = $2 AND revoked_at IS NULL \
                       AND ($3::uuid IS NULL OR id <> $3::uuid) \
                     RETURNING id",
                    &[&at, &user.as_uuid(), &keep],
                )
                .await?;
                Ok(revoked
                    .iter()
                    .map(|row| row.col::<Uuid>("id").map(SessionId::from_uuid))
                    .collect::<Result<_, _>>()?)
            })
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
        let at = at_micros(at);
        self.write(|tx| -> Job<'_, bool> {
            let email = email.clone();
            Box::pin(async move {
                let changed = exec(
                    tx,
                    "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND lower(email) = lower($3)",
                    &[&at, &user.as_uuid(), &email],
                )
                .await?;
                Ok(changed == 1)
            })
        })
        .await
    }

    async fn change_email(
        &self,
        user: UserId,
        email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (email, at) = (email.to_owned(), at_micros(at));
        self.write(|tx| -> Job<'_, ()> {
            let email = email.clone();
            Box::pin(async move {
                let changed = exec_raw(
                    tx,
                    "UPDATE users SET email = $1, email_verified_at = $2, updated_at = $2 WHERE id = $3",
                    &[&email, &at, &user.as_uuid()],
                )
                .await
                .map_err(|err| {
                    violation(err, |v| match v {
                        Violation::Unique(_) => Some(StoreError::Conflict(ConflictKind::EmailTaken)),
                        Violation::ForeignKey => None,
                    })
                })?;
                if changed == 0 {
                    return Err(StoreError::NotFound(Missing::User).into());
                }
                Ok(())
            })
        })
        .await
    }

    async fn add_account_token(&self, token: NewAccountToken) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            let token = token.clone();
            Box::pin(async move {
                exec(
                    tx,
                    "INSERT INTO account_tokens \
                     (token_hash, user_id, purpose, email, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &token.token_hash.0,
                        &token.user_id.as_uuid(),
                        &token.purpose.as_str(),
                        &token.email,
                        &at_micros(token.created_at),
                        &at_micros(token.expires_at),
                    ],
                )
                .await?;
                Ok(())
            })
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
        let at = at_micros(at);
        self.write(|tx| -> Job<'_, Option<UsedToken>> {
            let hash = hash.clone();
            Box::pin(async move {
                // The row lock of the UPDATE makes a concurrent use of the same token wait
                // and then match nothing.
                let Some(row) = opt_row(
                    tx,
                    "UPDATE account_tokens SET used_at = $1 \
                     WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
                     RETURNING user_id, email",
                    &[&at, &hash, &purpose.as_str()],
                )
                .await?
                else {
                    return Ok(None);
                };
                let used = UsedToken {
                    user_id: UserId::from_uuid(row.col("user_id")?),
                    email: row.col("email")?,
                };
                exec(
                    tx,
                    "UPDATE account_tokens SET used_at = $1 \
                     WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
                    &[&at, &used.user_id.as_uuid(), &purpose.as_str()],
                )
                .await?;
                Ok(Some(used))
            })
        })
        .await
    }
}
