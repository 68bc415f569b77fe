//! Accounts in SQLite.

use hearth_domain::{About, DisplayName, Limit, SearchQuery, Timestamp, User, UserId, Username};
use hearth_store::{
    ConflictKind, Contact, Credentials, Missing, NewUser, ProfileChange, StoreError, UserStore,
};
use rusqlite::{Row, params};
use uuid::Uuid;

pub(crate) use hearth_store::stored::escape_like;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, is_unique_violation, micros, store_error};
use crate::statements::{decode_all, decode_opt, execute};
use crate::tx::Tx;

/// Most ids bound in one `IN (…)` list (SQLite allows 32,766 parameters).
const USERS_CHUNK: usize = 500;

/// The columns [`user_from_row`] reads, for use in SELECT lists (`u` is the users alias).
pub(crate) const USER_COLUMNS: &str = "u.id AS user_id, u.username, u.display_name, u.created_at AS user_created_at, \
     u.email_verified_at AS user_email_verified_at, u.about AS user_about, u.avatar AS user_avatar";

/// Reads a user from a row selected with [`USER_COLUMNS`].
pub(crate) fn user_from_row(row: &Row<'_>) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::from_uuid(row.column::<Uuid>("user_id")?),
        username: Username::from_trusted(row.column("username")?),
        display_name: DisplayName::from_trusted(row.column("display_name")?),
        created_at: from_micros(row.column("user_created_at")?),
        email_verified_at: row
            .column::<Option<i64>>("user_email_verified_at")?
            .map(from_micros),
        about: row
            .column::<Option<String>>("user_about")?
            .map(About::from_trusted),
        // A name this build cannot read is no picture, rather than an unreadable account.
        avatar: row
            .column::<Option<String>>("user_avatar")?
            .and_then(|name| name.parse().ok()),
    })
}

/// Inserts an account (in the writer's transaction): `Conflict(UsernameTaken | EmailTaken)`
/// when the name or address is taken.
pub(crate) fn insert_user(tx: &Tx, user: NewUser) -> Result<User, StoreError> {
    let at = micros(user.created_at);
    let inserted = execute(
        tx,
        "INSERT INTO users (id, username, display_name, email, password_hash, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            user.id.as_uuid(),
            user.username.as_str(),
            user.display_name.as_str(),
            user.email.as_deref(),
            &user.password_hash,
            at,
            at,
        ],
    );
    match inserted {
        Ok(_) => Ok(User {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            created_at: user.created_at,
            email_verified_at: None,
            about: None,
            avatar: None,
        }),
        Err(err) if is_unique_violation(&err) => {
            let taken = err.to_string();
            Err(StoreError::Conflict(if taken.contains("email") {
                ConflictKind::EmailTaken
            } else {
                ConflictKind::UsernameTaken
            }))
        }
        Err(err) => Err(store_error(err)),
    }
}

#[async_trait::async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        self.writer.write(move |tx| insert_user(tx, user)).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?");
        self.readers
            .read(move |conn| decode_opt(conn, &sql, params![id.as_uuid()], user_from_row))
            .await
    }

    async fn users(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        self.readers
            .read(move |conn| {
                let mut found = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(USERS_CHUNK) {
                    let sql = format!(
                        "SELECT {USER_COLUMNS} FROM users u WHERE u.id IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    );
                    found.extend(decode_all(
                        conn,
                        &sql,
                        rusqlite::params_from_iter(chunk.iter()),
                        user_from_row,
                    )?);
                }
                Ok(found)
            })
            .await
    }

    async fn user_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?");
        let username = username.as_str().to_owned();
        self.readers
            .read(move |conn| decode_opt(conn, &sql, params![username], user_from_row))
            .await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        // SQLite's lower() folds ASCII only, which is what e-mail providers compare anyway.
        // Addresses are unique as given, so two may differ only in case: the oldest wins.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE lower(u.email) = lower(?) \
             ORDER BY u.created_at, u.id LIMIT 1"
        );
        let email = email.trim().to_owned();
        self.readers
            .read(move |conn| decode_opt(conn, &sql, params![email], user_from_row))
            .await
    }

    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.disabled_at FROM users u WHERE u.username = ?"
        );
        let username = username.as_str().to_owned();
        self.readers
            .read(move |conn| {
                decode_opt(conn, &sql, params![username], |row| {
                    Ok(Credentials {
                        user: user_from_row(row)?,
                        password_hash: row.column("password_hash")?,
                        disabled_at: row.column::<Option<i64>>("disabled_at")?.map(from_micros),
                    })
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
             WHERE u.id <> ?1 AND (u.username LIKE ?2 ESCAPE '\\' OR lower(u.display_name) LIKE ?2 ESCAPE '\\') \
             ORDER BY u.username LIMIT ?3"
        );
        let limit = i64::from(limit.get());
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    &sql,
                    params![exclude.as_uuid(), pattern, limit],
                    user_from_row,
                )
            })
            .await
    }

    async fn update_profile(
        &self,
        user: UserId,
        change: ProfileChange,
        at: Timestamp,
    ) -> Result<User, StoreError> {
        // RETURNING takes unqualified names only, so USER_COLUMNS (which names `u.`) cannot be
        // used; these are the same columns under the same names.
        let sql = "UPDATE users SET display_name = coalesce(?1, display_name), updated_at = ?2, \
                          about = CASE WHEN ?4 THEN ?5 ELSE about END, \
                          avatar = CASE WHEN ?6 THEN ?7 ELSE avatar END \
                   WHERE id = ?3 \
                   RETURNING id AS user_id, username, display_name, created_at AS user_created_at, \
                             email_verified_at AS user_email_verified_at, about AS user_about, \
                             avatar AS user_avatar";
        self.writer
            .write(move |tx| {
                let display_name = change.display_name.as_ref().map(DisplayName::as_str);
                let about = change.about.as_ref().map(|a| a.as_ref().map(About::as_str));
                let avatar = change.avatar.map(|a| a.map(|a| a.to_string()));
                decode_opt(
                    tx,
                    sql,
                    params![
                        display_name,
                        micros(at),
                        user.as_uuid(),
                        about.is_some(),
                        about.flatten(),
                        avatar.is_some(),
                        avatar.flatten()
                    ],
                    user_from_row,
                )?
                .ok_or(StoreError::NotFound(Missing::User))
            })
            .await
    }

    async fn record_last_seen(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "UPDATE users SET last_seen_at = ? WHERE id = ?",
                    params![micros(at), user.as_uuid()],
                )
                .map_err(store_error)?;
                Ok(())
            })
            .await
    }

    async fn contacts(&self, user: UserId, largest: i64) -> Result<Vec<Contact>, StoreError> {
        // The size test comes before the members are read: a user in a room of 10,000 reads
        // none of its member rows.
        let sql = format!(
            "SELECT DISTINCT {USER_COLUMNS}, u.last_seen_at FROM conversation_members mine \
             JOIN conversations c ON c.id = mine.conversation_id AND c.member_count <= ?2 \
             JOIN conversation_members theirs ON theirs.conversation_id = mine.conversation_id \
             JOIN users u ON u.id = theirs.user_id \
             WHERE mine.user_id = ?1 AND theirs.user_id <> ?1 ORDER BY u.username"
        );
        self.readers
            .read(move |conn| {
                decode_all(conn, &sql, params![user.as_uuid(), largest], |row| {
                    let last_seen: Option<i64> = row.column("last_seen_at")?;
                    Ok(Contact {
                        user: user_from_row(row)?,
                        last_seen_at: last_seen.map(from_micros),
                    })
                })
            })
            .await
    }
}
