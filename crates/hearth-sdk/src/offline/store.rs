//! The local store: what the UI reads, and the only thing it reads (seed 000).
//!
//! One SQLite file (bundled SQLite, migrations of its own in `schema.rs`) holds the signed-in
//! user, their conversations and members, messages with their local status and the
//! reconciliation fields (`client_message_id`, `server_id`, `server_seq`,
//! `server_created_at`), each conversation's sync cursor, and the outbox. Writes from the
//! network arrive through `apply.rs` (sync) and `outbox.rs` (sends); this module holds the
//! reads and the shared row mapping. It must never call the network.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hearth_proto::{MediaDto, ReactionDto, UserDto};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::schema;

/// What can go wrong in the local store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed (disk full, corrupt file, a bug in a query).
    #[error("local store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row held something this version cannot read.
    #[error("local store holds an unreadable value: {0}")]
    Corrupt(String),
    /// The action needs something the store does not hold (e.g. reacting to a message the
    /// server has not numbered yet).
    #[error("not possible here: {0}")]
    Unavailable(String),
}

/// Where a message is on its way to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalStatus {
    /// Written here and waiting in the outbox.
    Pending,
    /// The server has it (it has a `server_id` and `server_seq`).
    Sent,
    /// The server refused it for good; see [`LocalMessage::failure`]. Retry with
    /// [`LocalStore::retry`].
    Failed,
}

impl LocalStatus {
    /// `pending`, `sent` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "pending" => Ok(Self::Pending),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            other => Err(StoreError::Corrupt(format!("status {other}"))),
        }
    }
}

/// A message as the store holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalMessage {
    /// This store's id of the row (stable from the moment the message is written here).
    pub local_id: i64,
    /// The conversation.
    pub conversation_id: Uuid,
    /// Who wrote it.
    pub sender_id: Uuid,
    /// The idempotency key the message was (or will be) sent with.
    pub client_message_id: String,
    /// The server's id, once it has the message.
    pub server_id: Option<Uuid>,
    /// The message's place in the conversation's log, once the server has it.
    pub server_seq: Option<i64>,
    /// When the server stored it.
    pub server_created_at: Option<OffsetDateTime>,
    /// When it was written here (for a send) or received.
    pub local_created_at: OffsetDateTime,
    /// The text; `None` once deleted.
    pub content: Option<String>,
    /// Pending, sent or failed.
    pub status: LocalStatus,
    /// Why the server refused it, when [`LocalStatus::Failed`].
    pub failure: Option<String>,
    /// The message it answers.
    pub reply_to: Option<Uuid>,
    /// A tombstone.
    pub deleted: bool,
    /// Whether it was edited.
    pub edited: bool,
    /// Its reactions as the server counted them.
    pub reactions: Vec<ReactionDto>,
    /// How many replies its thread has.
    pub reply_count: u32,
    /// The files it carries, as the server described them (their bytes stay there).
    pub attachments: Vec<MediaDto>,
}

/// A conversation as the store holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalConversation {
    /// Its id.
    pub id: Uuid,
    /// `direct` or `group`.
    pub kind: String,
    /// The group's title (`None` for a direct conversation).
    pub title: Option<String>,
    /// The signed-in user's role.
    pub my_role: String,
    /// How many members it has.
    pub member_count: i64,
    /// The members the store knows of.
    pub member_ids: Vec<Uuid>,
    /// The newest message's text.
    pub last_message_preview: Option<String>,
    /// When the newest message was sent.
    pub last_message_at: Option<OffsetDateTime>,
    /// Messages of others after the read marker.
    pub unread: i64,
    /// The cursor: every log entry up to it is applied here.
    pub last_seq: i64,
}

/// The signed-in user as the store knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalUser {
    /// Their id.
    pub id: Uuid,
    /// Their username.
    pub username: String,
    /// Their display name.
    pub display_name: String,
}

/// The local store. Cheap to share behind an `Arc`; every method is short and synchronous
/// (SQLite on the local disk), so it may be called from async code.
///
/// ```
/// # fn demo() -> Result<(), hearth_sdk::offline::StoreError> {
/// use hearth_sdk::offline::LocalStore;
///
/// let store = LocalStore::open_in_memory()?;
/// assert!(store.me()?.is_none()); // nothing synced yet
/// assert!(store.conversations()?.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LocalStore {
    connection: Mutex<Connection>,
}

impl LocalStore {
    /// Opens (creating and migrating as needed) the store in the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::from_connection(Connection::open(path)?)
    }

    /// A store in memory, gone when dropped (tests, or a session that must leave no trace).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut connection: Connection) -> Result<Self, StoreError> {
        schema::migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // Every write runs in a transaction: a panic cannot leave it half-done.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The signed-in user, once a bootstrap has run.
    pub fn me(&self) -> Result<Option<LocalUser>, StoreError> {
        let connection = self.lock();
        let id: Option<String> = connection
            .query_row("SELECT value FROM meta WHERE key = 'me'", [], |row| {
                row.get(0)
            })
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        connection
            .query_row(
                "SELECT id, username, display_name FROM users WHERE id = ?1",
                [&id],
                |row| Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?
            .map(|(id, username, display_name)| {
                Ok(LocalUser {
                    id: uuid(&id)?,
                    username,
                    display_name,
                })
            })
            .transpose()
    }

    /// A user the store knows (the signed-in user, or a member seen in a bootstrap).
    pub fn user(&self, id: Uuid) -> Result<Option<LocalUser>, StoreError> {
        let found = self
            .lock()
            .query_row(
                "SELECT username, display_name FROM users WHERE id = ?1",
                [id.to_string()],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        Ok(found.map(|(username, display_name)| LocalUser {
            id,
            username,
            display_name,
        }))
    }

    /// Remembers `user` (e.g. from a user search), so that the UI can name them.
    pub fn remember_user(&self, user: &UserDto) -> Result<(), StoreError> {
        upsert_user(&self.lock(), user)?;
        Ok(())
    }

    /// Remembers that `members` are in `conversation` (e.g. from a member list), so that the
    /// UI can name a direct conversation after the other member.
    pub fn remember_members(&self, conversation: Uuid, members: &[Uuid]) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        for member in members {
            tx.execute(
                "INSERT OR IGNORE INTO members (conversation_id, user_id)
                 SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM conversations WHERE id = ?1)",
                params![conversation.to_string(), member.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The conversations, most recently active first, with their unread counts.
    pub fn conversations(&self) -> Result<Vec<LocalConversation>, StoreError> {
        let connection = self.lock();
        let mut members: HashMap<String, Vec<Uuid>> = HashMap::new();
        let mut statement =
            connection.prepare("SELECT conversation_id, user_id FROM members ORDER BY user_id")?;
        for row in statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
            let (conversation, user): (String, String) = row?;
            members.entry(conversation).or_default().push(uuid(&user)?);
        }
        let me: String = connection
            .query_row("SELECT value FROM meta WHERE key = 'me'", [], |row| {
                row.get(0)
            })
            .optional()?
            .unwrap_or_default();
        let mut statement = connection.prepare(
            "SELECT c.id, c.kind, c.title, c.my_role, c.member_count, c.last_message_preview,
                    c.last_message_at, coalesce(s.seq, 0),
                    (SELECT count(*) FROM messages m
                      WHERE m.conversation_id = c.id AND m.sender_id <> ?1 AND m.deleted = 0
                        AND m.server_seq > c.last_read_seq)
               FROM conversations c LEFT JOIN sync_cursors s ON s.conversation_id = c.id
              ORDER BY coalesce(c.last_message_at, c.server_updated_at, '') DESC, c.id",
        )?;
        let rows = statement.query_map([&me], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, i64>(7)?,
                row.get::<_, i64>(8)?,
            ))
        })?;
        let mut conversations = Vec::new();
        for row in rows {
            let (id, kind, title, my_role, member_count, preview, at, last_seq, unread) = row?;
            conversations.push(LocalConversation {
                id: uuid(&id)?,
                member_ids: members.remove(&id).unwrap_or_default(),
                kind,
                title,
                my_role,
                member_count,
                last_message_preview: preview,
                last_message_at: at.as_deref().map(timestamp).transpose()?,
                unread,
                last_seq,
            });
        }
        Ok(conversations)
    }

    /// The newest `limit` messages of `conversation` before `before_local_id` (all when
    /// `None`), oldest first: the server's in `seq` order, then this device's pending and
    /// failed sends in the order they were written. Page back by passing the first row's
    /// `local_id`.
    pub fn messages(
        &self,
        conversation: Uuid,
        before_local_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LocalMessage>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare(&format!(
            "SELECT {COLUMNS} FROM (
                SELECT *, row_number() OVER (ORDER BY server_seq IS NULL, server_seq, local_id)
                       AS position
                  FROM messages WHERE conversation_id = ?1)
              WHERE position < coalesce(
                    (SELECT position FROM (
                        SELECT local_id, row_number() OVER
                               (ORDER BY server_seq IS NULL, server_seq, local_id) AS position
                          FROM messages WHERE conversation_id = ?1)
                      WHERE local_id = ?2), 9223372036854775807)
              ORDER BY position DESC LIMIT ?3"
        ))?;
        let mut messages = statement
            .query_map(
                params![conversation.to_string(), before_local_id, limit],
                raw_message,
            )?
            .map(|row| row.map_err(StoreError::from).and_then(RawMessage::parse))
            .collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    /// The message sent with `client_message_id` by the signed-in user.
    pub fn message_by_client_id(
        &self,
        client_message_id: &str,
    ) -> Result<Option<LocalMessage>, StoreError> {
        let connection = self.lock();
        connection
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM messages WHERE client_message_id = ?1
                        AND sender_id = (SELECT value FROM meta WHERE key = 'me')"
                ),
                [client_message_id],
                raw_message,
            )
            .optional()?
            .map(RawMessage::parse)
            .transpose()
    }

    /// Messages whose text matches `query` (SQLite FTS5 syntax: words, `"a phrase"`,
    /// `prefix*`), best match first, at most `limit`; works offline, over what the store
    /// holds.
    ///
    /// ```
    /// # fn demo() -> Result<(), hearth_sdk::offline::StoreError> {
    /// # let store = hearth_sdk::offline::LocalStore::open_in_memory()?;
    /// for hit in store.search("lunch", 20)? {
    ///     println!("{:?}: {:?}", hit.conversation_id, hit.content);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<LocalMessage>, StoreError> {
        // Each word quoted: the user's text is never FTS5 syntax that could fail to parse,
        // but a trailing `*` keeps its prefix meaning.
        let terms: Vec<String> = query
            .split_whitespace()
            .map(|word| {
                let (stem, prefix) = match word.strip_suffix('*') {
                    Some(stem) => (stem, "*"),
                    None => (word, ""),
                };
                format!("\"{}\"{prefix}", stem.replace('"', "\"\""))
            })
            .filter(|term| !term.starts_with("\"\""))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let connection = self.lock();
        let mut statement = connection.prepare(&format!(
            "SELECT {COLUMNS} FROM messages
              WHERE local_id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1
                                  ORDER BY rank LIMIT ?2)
                AND deleted = 0
              ORDER BY coalesce(server_created_at, local_created_at) DESC"
        ))?;
        statement
            .query_map(params![terms.join(" "), limit], raw_message)?
            .map(|row| row.map_err(StoreError::from).and_then(RawMessage::parse))
            .collect()
    }

    /// Each conversation's cursor, for `GET /v1/sync/changes`.
    pub fn cursors(&self) -> Result<HashMap<Uuid, i64>, StoreError> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT conversation_id, seq FROM sync_cursors")?;
        statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?
            .map(|row| {
                let (id, seq) = row?;
                Ok((uuid(&id)?, seq))
            })
            .collect()
    }

    /// Moves the local read marker of `conversation` to `seq` (never back); returns whether
    /// it moved.
    pub fn mark_read(&self, conversation: Uuid, seq: i64) -> Result<bool, StoreError> {
        let moved = self.lock().execute(
            "UPDATE conversations SET last_read_seq = ?2 WHERE id = ?1 AND last_read_seq < ?2",
            params![conversation.to_string(), seq],
        )?;
        Ok(moved > 0)
    }
}

/// The columns of a message row, in the order `raw_message` reads them.
pub(crate) const COLUMNS: &str = "local_id, conversation_id, sender_id, client_message_id, \
     server_id, server_seq, server_created_at, local_created_at, content, status, failure, \
     reply_to, deleted, edited_at, reactions_json, reply_count, attachments_json";

/// A message row before its text columns are parsed.
pub(crate) struct RawMessage {
    local_id: i64,
    conversation_id: String,
    sender_id: String,
    client_message_id: String,
    server_id: Option<String>,
    server_seq: Option<i64>,
    server_created_at: Option<String>,
    local_created_at: String,
    content: Option<String>,
    status: String,
    failure: Option<String>,
    reply_to: Option<String>,
    deleted: bool,
    edited_at: Option<String>,
    reactions_json: String,
    reply_count: u32,
    attachments_json: String,
}

pub(crate) fn raw_message(row: &Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok(RawMessage {
        local_id: row.get(0)?,
        conversation_id: row.get(1)?,
        sender_id: row.get(2)?,
        client_message_id: row.get(3)?,
        server_id: row.get(4)?,
        server_seq: row.get(5)?,
        server_created_at: row.get(6)?,
        local_created_at: row.get(7)?,
        content: row.get(8)?,
        status: row.get(9)?,
        failure: row.get(10)?,
        reply_to: row.get(11)?,
        deleted: row.get(12)?,
        edited_at: row.get(13)?,
        reactions_json: row.get(14)?,
        reply_count: row.get(15)?,
        attachments_json: row.get(16)?,
    })
}

impl RawMessage {
    pub(crate) fn parse(self) -> Result<LocalMessage, StoreError> {
        Ok(LocalMessage {
            local_id: self.local_id,
            conversation_id: uuid(&self.conversation_id)?,
            sender_id: uuid(&self.sender_id)?,
            client_message_id: self.client_message_id,
            server_id: self.server_id.as_deref().map(uuid).transpose()?,
            server_seq: self.server_seq,
            server_created_at: self
                .server_created_at
                .as_deref()
                .map(timestamp)
                .transpose()?,
            local_created_at: timestamp(&self.local_created_at)?,
            content: self.content,
            status: LocalStatus::parse(&self.status)?,
            failure: self.failure,
            reply_to: self.reply_to.as_deref().map(uuid).transpose()?,
            deleted: self.deleted,
            edited: self.edited_at.is_some(),
            reactions: serde_json::from_str(&self.reactions_json)
                .map_err(|e| StoreError::Corrupt(format!("reactions: {e}")))?,
            reply_count: self.reply_count,
            attachments: serde_json::from_str(&self.attachments_json)
                .map_err(|e| StoreError::Corrupt(format!("attachments: {e}")))?,
        })
    }
}

pub(crate) fn upsert_user(connection: &Connection, user: &UserDto) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO users (id, username, display_name) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username,
                                        display_name = excluded.display_name",
        params![user.id.to_string(), user.username, user.display_name],
    )?;
    Ok(())
}

pub(crate) fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id {text}: {e}")))
}

pub(crate) fn timestamp(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("time {text}: {e}")))
}

pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    // Formatting a valid OffsetDateTime as RFC 3339 fails only for years beyond 9999.
    at.format(&Rfc3339).unwrap_or_default()
}
