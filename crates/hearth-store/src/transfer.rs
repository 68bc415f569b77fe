//! The backend-neutral shape of a whole instance, table by table, for copying one store into
//! another (`hearth migrate-store`: an instance that outgrew SQLite moves to PostgreSQL).
//!
//! Both adapters keep the same tables and columns (SQLite's migration notes say so; the
//! PostgreSQL schema mirrors them with native types). [`TABLES`] names every table that holds
//! data, in an order that inserts every referenced row before the rows that reference it, with
//! each column's [`Kind`]: the exporting adapter reads its own encoding into [`Value`]s of that
//! kind, the importing adapter writes them in its own. Derived data — search indexes, the
//! SQLite indexer's bookkeeping — is not copied: the target rebuilds it from the rows.
//!
//! This module must never hold a driver type, nor SQL beyond [`SEQ_RANGES_QUERY`], the one
//! standard query both adapters run unchanged on their identical tables to verify a copy.

use time::OffsetDateTime;
use uuid::Uuid;

/// What a column holds, whatever its encoding in a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An id.
    Uuid,
    /// A point in time (microsecond precision).
    Time,
    /// A 64-bit integer (seqs, counts, permission bits).
    Int,
    /// A flag.
    Bool,
    /// Text.
    Text,
    /// Bytes (digests, secrets).
    Bytes,
    /// A list of ids (a message's mentions).
    Uuids,
}

/// One column of a [`Table`].
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Its name, the same in every backend.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
}

/// One table of an instance and its columns, in the order rows carry their values.
#[derive(Debug)]
pub struct Table {
    /// Its name, the same in every backend.
    pub name: &'static str,
    /// Its columns.
    pub columns: &'static [Column],
}

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (SQL NULL).
    Null,
    /// An id.
    Uuid(Uuid),
    /// A point in time.
    Time(OffsetDateTime),
    /// An integer.
    Int(i64),
    /// A flag.
    Bool(bool),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A list of ids.
    Uuids(Vec<Uuid>),
}

/// Some rows of one table, each with a value per column of [`Table::columns`].
#[derive(Debug)]
pub struct Batch {
    /// The table.
    pub table: &'static Table,
    /// The rows.
    pub rows: Vec<Vec<Value>>,
}

/// How many rows one table holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCount {
    /// The table's name.
    pub table: &'static str,
    /// Its rows.
    pub rows: u64,
}

/// One conversation's log as numbers, compared between source and target after a copy: its
/// counter, and how many entries (messages and events) it has with the lowest and highest seq.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeqRange {
    /// The conversation.
    pub conversation_id: Uuid,
    /// The counter: the seq the next entry gets.
    pub next_seq: i64,
    /// Messages and events in its log.
    pub entries: u64,
    /// The lowest seq in the log (0 when it is empty).
    pub first: i64,
    /// The highest seq in the log (0 when it is empty).
    pub last: i64,
}

/// Reads every conversation's [`SeqRange`] (in column order: conversation, counter, entries,
/// first, last), the same in both backends.
pub const SEQ_RANGES_QUERY: &str = "SELECT c.conversation_id, c.next_seq, count(s.seq), \
        coalesce(min(s.seq), 0), coalesce(max(s.seq), 0) \
     FROM conversation_counters c \
     LEFT JOIN (SELECT conversation_id, seq FROM messages \
                UNION ALL SELECT conversation_id, seq FROM conversation_events) s \
            ON s.conversation_id = c.conversation_id \
     GROUP BY c.conversation_id";

const fn column(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

use Kind::{Bool, Bytes, Int, Text, Time, Uuid as Id, Uuids};

/// Every table that holds an instance's data, parents before children.
pub static TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            column("id", Id),
            column("username", Text),
            column("display_name", Text),
            column("email", Text),
            column("password_hash", Text),
            column("created_at", Time),
            column("updated_at", Time),
            column("last_seen_at", Time),
            column("dm_privacy", Text),
            column("invite_privacy", Text),
            column("email_verified_at", Time),
            column("disabled_at", Time),
            column("about", Text),
            column("deleted_at", Time),
            column("avatar", Text),
        ],
    },
    Table {
        name: "account_tokens",
        columns: &[
            column("token_hash", Text),
            column("user_id", Id),
            column("purpose", Text),
            column("email", Text),
            column("created_at", Time),
            column("expires_at", Time),
            column("used_at", Time),
        ],
    },
    Table {
        name: "media",
        columns: &[
            column("id", Id),
            column("owner_id", Id),
            column("status", Text),
            column("file_name", Text),
            column("declared_size", Int),
            column("size", Int),
            column("content_type", Text),
            column("storage_key", Text),
            column("created_at", Time),
            column("expires_at", Time),
            column("confirmed_at", Time),
            column("thumbnails", Text),
        ],
    },
    Table {
        name: "sessions",
        columns: &[
            column("id", Id),
            column("user_id", Id),
            column("created_at", Time),
            column("revoked_at", Time),
            column("device_name", Text),
            column("last_used_at", Time),
            column("last_ip", Text),
        ],
    },
    Table {
        name: "refresh_tokens",
        columns: &[
            column("id", Id),
            column("session_id", Id),
            column("user_id", Id),
            column("token_hash", Text),
            column("issued_at", Time),
            column("expires_at", Time),
            column("revoked_at", Time),
            column("replaced_by_token_id", Id),
        ],
    },
    Table {
        name: "conversations",
        columns: &[
            column("id", Id),
            column("kind", Text),
            column("created_by", Id),
            column("created_at", Time),
            column("updated_at", Time),
            column("last_message_id", Id),
            column("last_message_preview", Text),
            column("last_message_at", Time),
            column("title", Text),
            column("description", Text),
            column("public_name", Text),
            column("require_approval", Bool),
            column("history_visibility", Text),
            column("deleted_at", Time),
            column("member_count", Int),
        ],
    },
    Table {
        name: "conversation_counters",
        columns: &[
            column("conversation_id", Id),
            column("next_seq", Int),
            // Whether the conversation still takes writes (PostgreSQL keeps it on the counter
            // row; SQLite reads it from the conversation's `deleted_at`).
            column("open", Bool),
        ],
    },
    Table {
        name: "conversation_members",
        columns: &[
            column("conversation_id", Id),
            column("user_id", Id),
            column("role", Text),
            column("permissions", Int),
            column("joined_at", Time),
            column("joined_seq", Int),
            column("history_from", Int),
            column("last_read_seq", Int),
            column("last_delivered_seq", Int),
        ],
    },
    Table {
        name: "member_first_joins",
        columns: &[
            column("conversation_id", Id),
            column("user_id", Id),
            column("seq", Int),
        ],
    },
    Table {
        name: "direct_conversations",
        columns: &[
            column("user_low", Id),
            column("user_high", Id),
            column("conversation_id", Id),
        ],
    },
    Table {
        name: "join_requests",
        columns: &[
            column("conversation_id", Id),
            column("user_id", Id),
            column("created_at", Time),
        ],
    },
    // In the order they were sent, so that a reply's message comes after the one it answers.
    Table {
        name: "messages",
        columns: &[
            column("id", Id),
            column("conversation_id", Id),
            column("sender_id", Id),
            column("client_message_id", Text),
            column("seq", Int),
            column("content", Text),
            column("created_at", Time),
            column("edited_at", Time),
            column("edit_count", Int),
            column("deleted_at", Time),
            column("sent_digest", Bytes),
            column("reply_to", Id),
            column("thread_root_id", Id),
            column("thread_started", Bool),
            column("thread_reply_count", Int),
            column("thread_last_reply_at", Time),
            column("mentions", Uuids),
            // The message's place in search results (SQLite: `search_rowid`).
            column("search_position", Int),
        ],
    },
    Table {
        name: "message_reactions",
        columns: &[
            column("message_id", Id),
            column("user_id", Id),
            column("emoji", Text),
            column("created_at", Time),
        ],
    },
    Table {
        name: "message_attachments",
        columns: &[
            column("message_id", Id),
            column("position", Int),
            column("media_id", Id),
        ],
    },
    Table {
        name: "conversation_events",
        columns: &[
            column("conversation_id", Id),
            column("seq", Int),
            column("kind", Text),
            column("actor_id", Id),
            column("message_id", Id),
            column("payload", Text),
            column("created_at", Time),
        ],
    },
    Table {
        name: "user_blocks",
        columns: &[
            column("blocker_id", Id),
            column("blocked_id", Id),
            column("created_at", Time),
        ],
    },
    Table {
        name: "secrets",
        columns: &[
            column("name", Text),
            column("value", Bytes),
            column("created_at", Time),
        ],
    },
    Table {
        name: "data_keys",
        columns: &[
            column("id", Int),
            column("wrapped", Bytes),
            column("created_at", Time),
        ],
    },
    Table {
        name: "external_identities",
        columns: &[
            column("provider", Text),
            column("subject", Text),
            column("user_id", Id),
            column("email", Text),
            column("linked_at", Time),
        ],
    },
    Table {
        name: "sign_in_flows",
        columns: &[
            column("state_hash", Text),
            column("provider", Text),
            column("browser_hash", Text),
            column("nonce", Text),
            column("pkce_verifier", Text),
            column("link_to", Id),
            column("return_to", Text),
            column("expires_at", Time),
        ],
    },
    Table {
        name: "sign_in_handoffs",
        columns: &[
            column("code_hash", Text),
            column("user_id", Id),
            column("expires_at", Time),
        ],
    },
];

/// The table of [`TABLES`] called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|table| table.name == name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_unique_and_found_by_name() {
        let names: std::collections::HashSet<_> = TABLES.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), TABLES.len(), "a table listed twice");
        for expected in TABLES {
            assert!(table(expected.name).is_some_and(|found| std::ptr::eq(found, expected)));
        }
    }

    #[test]
    fn parents_come_before_the_tables_that_reference_them() {
        let position = |name| TABLES.iter().position(|t| t.name == name).unwrap();
        assert!(position("users") < position("sessions"));
        assert!(position("sessions") < position("refresh_tokens"));
        assert!(position("conversations") < position("conversation_members"));
        assert!(position("messages") < position("message_reactions"));
        assert!(position("messages") < position("message_attachments"));
        assert!(position("media") < position("message_attachments"));
        assert!(position("messages") < position("conversation_events"));
    }
}
