//! Privacy settings and blocks in SQLite: two columns of `users`, and `user_blocks` read by
//! its key one way and by its index the other.

use hearth_domain::{Consent, Privacy, Relation, Timestamp, UserId};
use hearth_store::{BlockedUser, Missing, PrivacyStore, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, micros, missing_row, store_error, unreadable};
use crate::statements::{decode_all, execute, query_one, query_opt};
use crate::users::{USER_COLUMNS, user_from_row};

/// Most ids bound into one `IN (…)` list.
const CHUNK: usize = 500;

fn consent(name: &str) -> Result<Consent, StoreError> {
    Consent::parse(name).ok_or_else(|| unreadable("consent", name))
}

#[async_trait::async_trait]
impl PrivacyStore for SqliteStore {
    async fn privacy(&self, user: UserId) -> Result<Privacy, StoreError> {
        let row: Option<(String, String)> = self
            .readers
            .read(move |conn| {
                query_opt(
                    conn,
                    "SELECT dm_privacy, invite_privacy FROM users WHERE id = ?",
                    params![user.as_uuid()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .map_err(store_error)
            })
            .await?;
        let (direct, invites) = row.ok_or(StoreError::NotFound(Missing::User))?;
        Ok(Privacy {
            direct_messages: consent(&direct)?,
            group_invites: consent(&invites)?,
        })
    }

    async fn set_privacy(&self, user: UserId, privacy: Privacy) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let updated = execute(
                    tx,
                    "UPDATE users SET dm_privacy = ?, invite_privacy = ? WHERE id = ?",
                    params![
                        privacy.direct_messages.as_str(),
                        privacy.group_invites.as_str(),
                        user.as_uuid(),
                    ],
                )
                .map_err(store_error)?;
                if updated == 0 {
                    return Err(StoreError::NotFound(Missing::User));
                }
                Ok(())
            })
            .await
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |tx| {
                // OR IGNORE keeps the first block's time; a missing user still breaks the
                // foreign key (conflict clauses do not apply to foreign keys).
                let inserted = execute(
                    tx,
                    "INSERT OR IGNORE INTO user_blocks (blocker_id, blocked_id, created_at) \
                     VALUES (?, ?, ?)",
                    params![blocker.as_uuid(), blocked.as_uuid(), micros(at)],
                )
                .map_err(missing_row(Missing::User))?;
                Ok(inserted > 0)
            })
            .await
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        self.writer
            .write(move |tx| {
                let deleted = execute(
                    tx,
                    "DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?",
                    params![blocker.as_uuid(), blocked.as_uuid()],
                )
                .map_err(store_error)?;
                Ok(deleted > 0)
            })
            .await
    }

    async fn blocked_users(&self, blocker: UserId) -> Result<Vec<BlockedUser>, StoreError> {
        let sql = format!(
            "SELECT b.created_at AS blocked_at, {USER_COLUMNS} \
             FROM user_blocks b JOIN users u ON u.id = b.blocked_id \
             WHERE b.blocker_id = ? ORDER BY b.created_at DESC, u.username"
        );
        self.readers
            .read(move |conn| {
                decode_all(conn, &sql, params![blocker.as_uuid()], |row| {
                    Ok(BlockedUser {
                        user: user_from_row(row)?,
                        since: from_micros(row.column("blocked_at")?),
                    })
                })
            })
            .await
    }

    async fn relation(&self, a: UserId, b: UserId) -> Result<Relation, StoreError> {
        let (blocked, share_a_conversation): (bool, bool) = self
            .readers
            .read(move |conn| {
                query_one(
                    conn,
                    "SELECT \
                EXISTS (SELECT 1 FROM user_blocks \
                    WHERE (blocker_id = ?1 AND blocked_id = ?2) \
                       OR (blocker_id = ?2 AND blocked_id = ?1)), \
                EXISTS (SELECT 1 FROM conversation_members x \
                    JOIN conversation_members y \
                        ON y.conversation_id = x.conversation_id AND y.user_id = ?2 \
                    JOIN conversations c ON c.id = x.conversation_id AND c.deleted_at IS NULL \
                    WHERE x.user_id = ?1)",
                    params![a.as_uuid(), b.as_uuid()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .map_err(store_error)
            })
            .await?;
        Ok(Relation {
            blocked,
            share_a_conversation,
        })
    }

    async fn blocked_by(&self, user: UserId, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        let users: Vec<Uuid> = users.iter().map(|id| id.as_uuid()).collect();
        self.readers
            .read(move |conn| {
                let user = user.as_uuid();
                let mut blockers = Vec::new();
                for chunk in users.chunks(CHUNK) {
                    let sql = format!(
                        "SELECT blocker_id FROM user_blocks WHERE blocked_id = ? AND blocker_id IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    );
                    let values = std::iter::once(&user as &dyn ToSql)
                        .chain(chunk.iter().map(|id| id as &dyn ToSql));
                    blockers.extend(decode_all(conn, &sql, params_from_iter(values), |row| {
                        Ok(UserId::from_uuid(row.get(0).map_err(store_error)?))
                    })?);
                }
                Ok(blockers)
            })
            .await
    }
}
