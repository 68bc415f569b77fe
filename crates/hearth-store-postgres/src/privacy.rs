//! Privacy settings and blocks in PostgreSQL: two columns of `users`, and `user_blocks` read
//! by its key one way and by its index the other.

use hearth_domain::{Consent, Privacy, Relation, Timestamp, UserId};
use hearth_store::stored::unreadable;
use hearth_store::{BlockedUser, Missing, PrivacyStore, StoreError};
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, exec, exec_raw, one_row, opt_row, rows};
use crate::error::{Violation, violation};
use crate::rows::{USER_COLUMNS, user_from_row};

fn consent(name: &str) -> Result<Consent, StoreError> {
    Consent::parse(name).ok_or_else(|| unreadable("consent", name))
}

#[async_trait::async_trait]
impl PrivacyStore for PostgresStore {
    async fn privacy(&self, user: UserId) -> Result<Privacy, StoreError> {
        self.read(move |c| -> Job<'_, Privacy> {
            Box::pin(async move {
                let row = opt_row(
                    c,
                    "SELECT dm_privacy, invite_privacy FROM users WHERE id = $1",
                    &[&user.as_uuid()],
                )
                .await?
                .ok_or(StoreError::NotFound(Missing::User))?;
                Ok(Privacy {
                    direct_messages: consent(row.col("dm_privacy")?)?,
                    group_invites: consent(row.col("invite_privacy")?)?,
                })
            })
        })
        .await
    }

    async fn set_privacy(&self, user: UserId, privacy: Privacy) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            Box::pin(async move {
                let updated = exec(
                    tx,
                    "UPDATE users SET dm_privacy = $1, invite_privacy = $2 WHERE id = $3",
                    &[
                        &privacy.direct_messages.as_str(),
                        &privacy.group_invites.as_str(),
                        &user.as_uuid(),
                    ],
                )
                .await?;
                if updated == 0 {
                    return Err(StoreError::NotFound(Missing::User).into());
                }
                Ok(())
            })
        })
        .await
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(|tx| -> Job<'_, bool> {
            Box::pin(async move {
                // DO NOTHING keeps the first block's time; a missing user still breaks the
                // foreign key.
                let inserted = exec_raw(
                    tx,
                    "INSERT INTO user_blocks (blocker_id, blocked_id, created_at) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    &[&blocker.as_uuid(), &blocked.as_uuid(), &at],
                )
                .await
                .map_err(|err| {
                    violation(err, |v| {
                        matches!(v, Violation::ForeignKey)
                            .then_some(StoreError::NotFound(Missing::User))
                    })
                })?;
                Ok(inserted > 0)
            })
        })
        .await
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        self.write(|tx| -> Job<'_, bool> {
            Box::pin(async move {
                let deleted = exec(
                    tx,
                    "DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2",
                    &[&blocker.as_uuid(), &blocked.as_uuid()],
                )
                .await?;
                Ok(deleted > 0)
            })
        })
        .await
    }

    async fn blocked_users(&self, blocker: UserId) -> Result<Vec<BlockedUser>, StoreError> {
        let sql = format!(
            "SELECT b.created_at AS blocked_at, {USER_COLUMNS} \
             FROM user_blocks b JOIN users u ON u.id = b.blocked_id \
             WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, u.username"
        );
        self.read(move |c| -> Job<'_, Vec<BlockedUser>> {
            Box::pin(async move {
                let mut blocked = Vec::new();
                for row in rows(c, &sql, &[&blocker.as_uuid()]).await? {
                    blocked.push(BlockedUser {
                        user: user_from_row(&row)?,
                        since: row.col("blocked_at")?,
                    });
                }
                Ok(blocked)
            })
        })
        .await
    }

    async fn relation(&self, a: UserId, b: UserId) -> Result<Relation, StoreError> {
        self.read(move |c| -> Job<'_, Relation> {
            Box::pin(async move {
                let row = one_row(
                    c,
                    "SELECT \
                EXISTS (SELECT 1 FROM user_blocks \
                    WHERE (blocker_id = $1 AND blocked_id = $2) \
                       OR (blocker_id = $2 AND blocked_id = $1)) AS blocked, \
                EXISTS (SELECT 1 FROM conversation_members x \
                    JOIN conversation_members y \
                        ON y.conversation_id = x.conversation_id AND y.user_id = $2 \
                    JOIN conversations c ON c.id = x.conversation_id AND c.deleted_at IS NULL \
                    WHERE x.user_id = $1) AS shared",
                    &[&a.as_uuid(), &b.as_uuid()],
                )
                .await?;
                Ok(Relation {
                    blocked: row.col("blocked")?,
                    share_a_conversation: row.col("shared")?,
                })
            })
        })
        .await
    }

    async fn blocked_by(&self, user: UserId, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        let users: Vec<Uuid> = users.iter().map(|id| id.as_uuid()).collect();
        self.read(move |c| -> Job<'_, Vec<UserId>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT blocker_id FROM user_blocks \
                     WHERE blocked_id = $1 AND blocker_id = ANY($2)",
                    &[&user.as_uuid(), &users],
                )
                .await?;
                let mut blockers = Vec::with_capacity(found.len());
                for row in found {
                    blockers.push(UserId::from_uuid(row.col("blocker_id")?));
                }
                Ok(blockers)
            })
        })
        .await
    }
}
