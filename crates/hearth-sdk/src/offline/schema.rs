//! The local store's schema and its migrations.
//!
//! Migrations are numbered and applied in order; the number reached is SQLite's
//! `user_version`, so an app that upgrades the SDK migrates its users' stores at the next
//! open. A migration is never edited once released: add the next one.

use rusqlite::Connection;

/// The migrations, in order. Index `i` moves `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    display_name TEXT NOT NULL
);

CREATE TABLE conversations (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    title                TEXT,
    my_role              TEXT NOT NULL,
    member_count         INTEGER NOT NULL DEFAULT 0,
    last_message_preview TEXT,
    last_message_at      TEXT,
    server_updated_at    TEXT,
    last_read_seq        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- The cursor of each conversation's log: everything up to `seq` is applied here.
CREATE TABLE sync_cursors (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    history_from    INTEGER NOT NULL DEFAULT 0
);

-- Messages: the server's, and this device's sends before the server has them.
-- (sender_id, client_message_id) is the reconciliation key (the server's idempotency key).
CREATE TABLE messages (
    local_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id   TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    sender_id         TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    server_id         TEXT UNIQUE,
    server_seq        INTEGER,
    server_created_at TEXT,
    local_created_at  TEXT NOT NULL,
    content           TEXT,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    failure           TEXT,
    reply_to          TEXT,
    deleted           INTEGER NOT NULL DEFAULT 0,
    edited_at         TEXT,
    reactions_json    TEXT NOT NULL DEFAULT '[]',
    reply_count       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sender_id, client_message_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, server_seq);

-- Local search over what the store holds.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content = 'messages', content_rowid = 'local_id'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.local_id, coalesce(new.content, ''));
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.local_id, coalesce(old.content, ''));
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.local_id, coalesce(old.content, ''));
    INSERT INTO messages_fts (rowid, content) VALUES (new.local_id, coalesce(new.content, ''));
END;

-- Writes waiting for the server, oldest first. `payload_json` is the request body.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT NOT NULL,
    conversation_id   TEXT NOT NULL,
    client_message_id TEXT NOT NULL UNIQUE,
    payload_json      TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    last_error        TEXT
);
"#,
    r#"
-- The files a message carries, as the server describes them (`MediaDto`s); the bytes stay on
-- the server.
ALTER TABLE messages ADD COLUMN attachments_json TEXT NOT NULL DEFAULT '[]';
"#,
];

/// Brings the store at `connection` to the newest schema.
pub(crate) fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = connection.transaction()?;
        tx.execute_batch(migration)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
        tracing::debug!(version = index + 1, "local store migrated");
    }
    Ok(())
}
