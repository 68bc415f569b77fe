//! Pages of history and of threads, and member lookups by name, in SQLite.

use hearth_domain::{ConversationId, Message, MessageId, SeqWindow, UserId};
use hearth_store::{MentionStore, MessagePageStore, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::Columns;
use crate::rows::{message_columns, read_messages};
use crate::statements::decode_all;

#[async_trait::async_trait]
impl MessagePageStore for SqliteStore {
    async fn message_page(
        &self,
        conversation: ConversationId,
        thread: Option<MessageId>,
        window: SeqWindow,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let thread_filter = if thread.is_some() {
            "AND m.thread_root_id = ?4"
        } else {
            ""
        };
        let order = if window.newest_first { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {} FROM messages m \
             WHERE m.conversation_id = ?1 AND m.seq > ?2 AND m.seq < ?3 {thread_filter} \
             ORDER BY m.seq {order} LIMIT ?5",
            message_columns("m")
        );
        let limit = i64::from(limit);
        self.readers
            .read(move |conn| {
                let mut messages = read_messages(
                    conn,
                    &sql,
                    params![
                        conversation.as_uuid(),
                        window.after,
                        window.before.unwrap_or(i64::MAX),
                        thread.map(|t| t.as_uuid()),
                        limit,
                    ],
                )?;
                if window.newest_first {
                    messages.reverse();
                }
                Ok(messages)
            })
            .await
    }
}

#[async_trait::async_trait]
impl MentionStore for SqliteStore {
    async fn members_named(
        &self,
        conversation: ConversationId,
        names: &[String],
    ) -> Result<Vec<(String, UserId)>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.username, u.id FROM conversation_members m JOIN users u ON u.id = m.user_id \
             WHERE m.conversation_id = ? AND u.username IN ({})",
            vec!["?"; names.len()].join(", ")
        );
        let names = names.to_vec();
        self.readers
            .read(move |conn| {
                let conversation = conversation.as_uuid();
                let values = std::iter::once(&conversation as &dyn ToSql)
                    .chain(names.iter().map(|name| name as &dyn ToSql));
                decode_all(conn, &sql, params_from_iter(values), |row| {
                    Ok((
                        row.column("username")?,
                        UserId::from_uuid(row.column::<Uuid>("id")?),
                    ))
                })
            })
            .await
    }
}
