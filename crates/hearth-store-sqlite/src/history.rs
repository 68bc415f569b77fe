//! Pages of history and of threads, and member lookups by name, in SQLite.

use hearth_domain::{ConversationId, Message, MessageId, SeqWindow, UserId};
use hearth_store::{MentionStore, MessagePageStore, StoreError};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::store_error;
use crate::rows::{message_columns, read_messages};

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
        self.readers
            .read(async |conn| {
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(conversation.as_uuid())
                    .bind(window.after)
                    .bind(window.before.unwrap_or(i64::MAX))
                    .bind(thread.map(|t| t.as_uuid()))
                    .bind(i64::from(limit))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(store_error)?;
                let mut messages = read_messages(conn, rows).await?;
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
        let mut query =
            sqlx::query_as::<_, (String, Uuid)>(AssertSqlSafe(sql)).bind(conversation.as_uuid());
        for name in names {
            query = query.bind(name.as_str());
        }
        let rows = self
            .readers
            .read(async |conn| query.fetch_all(conn).await.map_err(store_error))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(name, id)| (name, UserId::from_uuid(id)))
            .collect())
    }
}
