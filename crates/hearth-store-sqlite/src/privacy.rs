//! Privacy settings and blocks in SQLite: two columns of `users`, and `user_blocks` read by
//! its key one way and by its index the other.

use hearth_domain::{Consent, Privacy, Relation, Timestamp, UserId};
use hearth_store::{BlockedUser, PrivacyStore, StoreError};
use rusqlite::params;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{from_micros, micros, missing_row, store_error, write_error};
use crate::tx::execute;
use crate::users::{USER_COLUMNS, user_from_row};

/// Most ids bound into one `IN (…)` list.
const CHUNK: usize = 500;

fn consent(name: &str) -> Result<Consent, StoreError> {
    Consent::parse(name).ok_or(StoreError::NotFound("consent"))
}

#[async_trait::async_trait]
impl PrivacyStore for SqliteStore {
    async fn privacy(&self, user: UserId) -> Result<Privacy, StoreError> {
        let row: Option<(String, String)> = self
            .readers
            .read(async |conn| {
                sqlx::query_as("SELECT dm_privacy, invite_privacy FROM users WHERE id = ?")
                    .bind(user.as_uuid())
                    .fetch_optional(conn)
                    .await
                    .map_err(store_error)
            })
            .await?;
        let (direct, invites) = row.ok_or(StoreError::NotFound("user"))?;
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
                .map_err(write_error)?;
                if updated == 0 {
                    return Err(StoreError::NotFound("user"));
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
                .map_err(missing_row("user"))?;
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
                .map_err(write_error)?;
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
        let rows = self
            .readers
            .fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(blocker.as_uuid()))
            .await?;
        rows.iter()
            .map(|row| {
                Ok(BlockedUser {
                    user: user_from_row(row)?,
                    since: from_micros(row.try_get("blocked_at").map_err(store_error)?),
                })
            })
            .collect()
    }

    async fn relation(&self, a: UserId, b: UserId) -> Result<Relation, StoreError> {
        let (blocked, share_a_conversation): (bool, bool) = self
            .readers
            .read(async |conn| {
                sqlx::query_as(
                    "SELECT \
                EXISTS (SELECT 1 FROM user_blocks \
                    WHERE (blocker_id = ?1 AND blocked_id = ?2) \
                       OR (blocker_id = ?2 AND blocked_id = ?1)), \
                EXISTS (SELECT 1 FROM conversation_members x \
                    JOIN conversation_members y \
                        ON y.conversation_id = x.conversation_id AND y.user_id = ?2 \
                    JOIN conversations c ON c.id = x.conversation_id AND c.deleted_at IS NULL \
                    WHERE x.user_id = ?1)",
                )
                .bind(a.as_uuid())
                .bind(b.as_uuid())
                .fetch_one(conn)
                .await
                .map_err(store_error)
            })
            .await?;
        Ok(Relation {
            blocked,
            share_a_conversation,
        })
    }

    async fn blocked_by(&self, user: UserId, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        let mut blockers = Vec::new();
        for chunk in users.chunks(CHUNK) {
            let sql = format!(
                "SELECT blocker_id FROM user_blocks WHERE blocked_id = ? AND blocker_id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query_scalar::<_, Uuid>(AssertSqlSafe(sql)).bind(user.as_uuid());
            for id in chunk {
                query = query.bind(id.as_uuid());
            }
            let found = self
                .readers
                .read(async |conn| query.fetch_all(conn).await.map_err(store_error))
                .await?;
            blockers.extend(found.into_iter().map(UserId::from_uuid));
        }
        Ok(blockers)
    }
}
