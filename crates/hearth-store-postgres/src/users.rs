//! Accounts in PostgreSQL.

use hearth_domain::{Limit, SearchQuery, Timestamp, User, UserId, Username};
use hearth_store::{
    ConflictKind, Contact, Credentials, Missing, NewUser, ProfileChange, StoreError, UserStore,
};

use hearth_store::stored::escape_like;

use deadpool_postgres::Transaction;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, exec_raw, opt_row, rows};
use crate::error::{Failure, Violation, violation};
use crate::rows::{USER_COLUMNS, user_from_row};

impl PostgresStore {
    /// The first user `sql` (selecting [`USER_COLUMNS`]) finds with one text parameter.
    async fn user_where(&self, sql: String, value: String) -> Result<Option<User>, StoreError> {
        self.read(move |c| -> Job<'_, Option<User>> {
            Box::pin(async move {
                let row = opt_row(c, &sql, &[&value]).await?;
                Ok(row.as_ref().map(user_from_row).transpose()?)
            })
        })
        .await
    }
}

/// Inserts an account (in a write's transaction): `Conflict(UsernameTaken | EmailTaken)` when
/// the name or address is taken.
pub(crate) async fn insert_user(tx: &Transaction<'_>, user: NewUser) -> Result<User, Failure> {
    let at = at_micros(user.created_at);
    exec_raw(
        tx,
        "INSERT INTO users (id, username, display_name, email, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        &[
            &user.id.as_uuid(),
            &user.username.as_str(),
            &user.display_name.as_str(),
            &user.email.as_deref(),
            &user.password_hash,
            &at,
        ],
    )
    .await
    .map_err(|err| {
        violation(err, |v| match v {
            Violation::Unique("users_email_key") => {
                Some(StoreError::Conflict(ConflictKind::EmailTaken))
            }
            Violation::Unique(_) => Some(StoreError::Conflict(ConflictKind::UsernameTaken)),
            Violation::ForeignKey => None,
        })
    })?;
    Ok(User {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        created_at: at,
        email_verified_at: None,
        about: None,
        avatar: None,
    })
}

#[async_trait::async_trait]
impl UserStore for PostgresStore {
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        self.write(|tx| -> Job<'_, User> {
            let user = user.clone();
            Box::pin(async move { insert_user(tx, user).await })
        })
        .await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        self.read(move |c| -> Job<'_, Option<User>> {
            Box::pin(async move {
                let row = opt_row(c, &sql, &[&id.as_uuid()]).await?;
                Ok(row.as_ref().map(user_from_row).transpose()?)
            })
        })
        .await
    }

    async fn users(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ANY($1)");
        self.read(move |c| -> Job<'_, Vec<User>> {
            Box::pin(async move {
                let found = rows(c, &sql, &[&ids]).await?;
                Ok(found.iter().map(user_from_row).collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn user_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
        self.user_where(sql, username.as_str().to_owned()).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        // Addresses are unique as given, so two may differ only in case: the oldest wins.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE lower(u.email) = lower($1) \
             ORDER BY u.created_at, u.id LIMIT 1"
        );
        self.user_where(sql, email.trim().to_owned()).await
    }

    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.disabled_at FROM users u WHERE u.username = $1"
        );
        let username = username.as_str().to_owned();
        self.read(move |c| -> Job<'_, Option<Credentials>> {
            Box::pin(async move {
                let Some(row) = opt_row(c, &sql, &[&username]).await? else {
                    return Ok(None);
                };
                Ok(Some(Credentials {
                    user: user_from_row(&row)?,
                    password_hash: row.col("password_hash")?,
                    disabled_at: row.col("disabled_at")?,
                }))
            })
        })
        .await
    }

    async fn search_users(
        &self,
        query: &SearchQuery,
        exclude: UserId,
        limit: Limit,
    ) -> Result<Vec<User>, StoreError> {
        let pattern = format!("{}%", escape_like(query.as_str()));
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u \
             WHERE u.id <> $1 AND (u.username LIKE $2 ESCAPE '\\' OR lower(u.display_name) LIKE $2 ESCAPE '\\') \
             ORDER BY u.username LIMIT $3"
        );
        let limit = i64::from(limit.get());
        self.read(move |c| -> Job<'_, Vec<User>> {
            Box::pin(async move {
                let found = rows(c, &sql, &[&exclude.as_uuid(), &pattern, &limit]).await?;
                Ok(found.iter().map(user_from_row).collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn update_profile(
        &self,
        user: UserId,
        change: ProfileChange,
        at: Timestamp,
    ) -> Result<User, StoreError> {
        let display_name = change.display_name.as_ref().map(|d| d.as_str().to_owned());
        let about = change
            .about
            .as_ref()
            .map(|a| a.as_ref().map(|a| a.as_str().to_owned()));
        let (set_about, about) = (about.is_some(), about.flatten());
        let avatar = change.avatar.map(|a| a.map(|a| a.to_string()));
        let (set_avatar, avatar) = (avatar.is_some(), avatar.flatten());
        let at = at_micros(at);
        self.write(|tx| -> Job<'_, User> {
            let (display_name, about, avatar) = (display_name.clone(), about.clone(), avatar.clone());
            Box::pin(async move {
                let row = opt_row(
                    tx,
                    "UPDATE users SET display_name = coalesce($1, display_name), updated_at = $2, \
                            about = CASE WHEN $4 THEN $5 ELSE about END, \
                            avatar = CASE WHEN $6 THEN $7 ELSE avatar END \
                     WHERE id = $3 \
                     RETURNING id AS user_id, username, display_name, created_at AS user_created_at, \
                               email_verified_at AS user_email_verified_at, about AS user_about, \
                             avatar AS user_avatar",
                    &[
                        &display_name,
                        &at,
                        &user.as_uuid(),
                        &set_about,
                        &about,
                        &set_avatar,
                        &avatar,
                    ],
                )
                .await?
                .ok_or(StoreError::NotFound(Missing::User))?;
                Ok(user_from_row(&row)?)
            })
        })
        .await
    }

    async fn record_last_seen(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            Box::pin(async move {
                exec(
                    tx,
                    "UPDATE users SET last_seen_at = $1 WHERE id = $2",
                    &[&at, &user.as_uuid()],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn contacts(&self, user: UserId, largest: i64) -> Result<Vec<Contact>, StoreError> {
        // The size test comes before the members are read: a user in a room of 10,000 reads
        // none of its member rows.
        let sql = format!(
            "SELECT DISTINCT {USER_COLUMNS}, u.last_seen_at FROM conversation_members mine \
             JOIN conversations c ON c.id = mine.conversation_id AND c.member_count <= $2 \
             JOIN conversation_members theirs ON theirs.conversation_id = mine.conversation_id \
             JOIN users u ON u.id = theirs.user_id \
             WHERE mine.user_id = $1 AND theirs.user_id <> $1 ORDER BY u.username"
        );
        self.read(move |c| -> Job<'_, Vec<Contact>> {
            Box::pin(async move {
                let found = rows(c, &sql, &[&user.as_uuid(), &largest]).await?;
                let mut contacts = Vec::with_capacity(found.len());
                for row in found {
                    contacts.push(Contact {
                        user: user_from_row(&row)?,
                        last_seen_at: row.col("last_seen_at")?,
                    });
                }
                Ok(contacts)
            })
        })
        .await
    }
}
