//! Discovery of public rooms and channels in SQLite: by their case-folded `public_name`,
//! which only rooms and channels that are not deleted have, so its unique index both finds
//! and orders them.

use hearth_store::{Discovered, Discovery, StoreError};
use rusqlite::params;

use crate::SqliteStore;
use crate::codec::Columns;
use crate::statements::decode_all;
use crate::summaries::{CONVERSATION_COLUMNS, conversation_from_row};
use crate::users::escape_like;

impl SqliteStore {
    /// One page of discovery (see `ConversationStore::discover`).
    pub(crate) async fn discovered(
        &self,
        discovery: Discovery,
    ) -> Result<Vec<Discovered>, StoreError> {
        // Names are stored case-folded with the same folding as the query. Every name is
        // after "", so the first page needs no special case.
        let pattern = format!(
            "%{}%",
            escape_like(&discovery.query.unwrap_or_default().to_lowercase())
        );
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, \
                    EXISTS (SELECT 1 FROM conversation_members m \
                        WHERE m.conversation_id = c.id AND m.user_id = ?1) AS joined \
             FROM conversations c \
             WHERE c.public_name IS NOT NULL AND c.deleted_at IS NULL \
               AND c.public_name LIKE ?2 ESCAPE '\\' \
               AND c.public_name > ?3 \
             ORDER BY c.public_name LIMIT ?4"
        );
        let viewer = discovery.viewer.as_uuid();
        let after = discovery.after.unwrap_or_default();
        let limit = i64::from(discovery.limit);
        self.readers
            .read(move |conn| {
                decode_all(conn, &sql, params![viewer, pattern, after, limit], |row| {
                    Ok(Discovered {
                        conversation: conversation_from_row(row)?,
                        joined: row.column("joined")?,
                    })
                })
            })
            .await
    }
}
