//! Reading conversations and members out of rows, the conversation list and discovery.
//!
//! The list ([`PostgresStore::summaries`]) is two statements whatever its length: one row per
//! conversation with the viewer's own membership, unread count and last visible message,
//! then the members of every conversation small enough to list them.

use std::collections::HashMap;

use hearth_domain::{
    Access, Conversation, ConversationId, ConversationSummary, Description, Member, Permissions,
    Settings, Title, UserId,
};
use hearth_store::stored::{escape_like, parse_kind, parse_role, parse_visibility, unreadable};
use hearth_store::{Discovered, Discovery, StoreError};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, rows};
use crate::rows::{USER_COLUMNS, message_columns, message_from_row, user_from_row};

/// The columns [`conversation_from_row`] reads (`c` is the conversations alias).
pub(crate) const CONVERSATION_COLUMNS: &str = "c.id AS c_id, c.kind AS c_kind, c.title AS c_title, \
     c.description AS c_description, c.require_approval AS c_require_approval, \
     c.history_visibility AS c_history_visibility, c.created_by AS c_created_by, \
     c.created_at AS c_created_at, c.member_count AS c_member_count";

/// Reads a conversation selected with [`CONVERSATION_COLUMNS`].
pub(crate) fn conversation_from_row(row: &Row) -> Result<Conversation, StoreError> {
    let title: Option<String> = row.col("c_title")?;
    Ok(Conversation {
        id: ConversationId::from_uuid(row.col("c_id")?),
        kind: parse_kind(row.col("c_kind")?)?,
        settings: Settings {
            title: title.map(Title::from_trusted),
            description: Description::from_trusted(row.col("c_description")?),
            require_approval: row.col("c_require_approval")?,
            history_visibility: parse_visibility(row.col("c_history_visibility")?)?,
        },
        created_by: UserId::from_uuid(row.col("c_created_by")?),
        created_at: row.col("c_created_at")?,
        member_count: row.col("c_member_count")?,
    })
}

/// The columns [`member_from_row`] reads (`m` is the conversation_members alias, `u` the
/// users alias).
pub(crate) const MEMBER_COLUMNS: &str = "m.role, m.permissions, m.joined_at, m.joined_seq, \
     m.last_read_seq, m.last_delivered_seq";

/// Reads a member selected with [`MEMBER_COLUMNS`] and [`USER_COLUMNS`].
pub(crate) fn member_from_row(row: &Row) -> Result<Member, StoreError> {
    Ok(Member {
        user: user_from_row(row)?,
        role: parse_role(row.col("role")?)?,
        permissions: Permissions::from_bits(row.col("permissions")?),
        joined_at: row.col("joined_at")?,
        joined_seq: row.col("joined_seq")?,
        last_read_seq: row.col("last_read_seq")?,
        last_delivered_seq: row.col("last_delivered_seq")?,
    })
}

/// Reads a member's access from columns named `{prefix}user_id`, `{prefix}role`,
/// `{prefix}permissions` and `{prefix}history_from`; `None` when the role is NULL (an outer
/// join that matched no member).
pub(crate) fn access_from_row(row: &Row, prefix: &str) -> Result<Option<Access>, StoreError> {
    let col = |c: &str| format!("{prefix}{c}");
    let Some(role) = row.col::<Option<&str>>(&col("role"))? else {
        return Ok(None);
    };
    Ok(Some(Access {
        user_id: UserId::from_uuid(row.col(&col("user_id"))?),
        role: parse_role(role)?,
        permissions: Permissions::from_bits(row.col(&col("permissions"))?),
        history_from: row.col(&col("history_from"))?,
    }))
}

fn summary_from_row(row: &Row) -> Result<ConversationSummary, StoreError> {
    Ok(ConversationSummary {
        conversation: conversation_from_row(row)?,
        // An inner join: the viewer's row is there, so its role is.
        me: access_from_row(row, "me_")?.ok_or_else(|| unreadable("member role", "NULL"))?,
        members: None,
        last_seq: row.col("last_seq")?,
        last_message: message_from_row(row, "lm")?,
        last_message_preview: row.col("last_preview")?,
        last_read_seq: row.col("last_read_seq")?,
        unread_count: row.col("unread_count")?,
        updated_at: row.col("updated_at")?,
    })
}

impl PostgresStore {
    /// The viewer's conversations (all, or just `only`), with members where few enough.
    pub(crate) async fn summaries(
        &self,
        viewer: UserId,
        only: Option<ConversationId>,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        // The last message is shown only if the viewer sees it.
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, c.updated_at, cc.next_seq - 1 AS last_seq, \
                    me.user_id AS me_user_id, me.role AS me_role, \
                    me.permissions AS me_permissions, me.history_from AS me_history_from, \
                    me.last_read_seq, \
                    (SELECT count(*) FROM messages x WHERE x.conversation_id = c.id \
                        AND x.seq > me.last_read_seq AND x.seq >= me.history_from \
                        AND x.sender_id <> me.user_id AND x.deleted_at IS NULL) AS unread_count, \
                    CASE WHEN lm.id IS NULL THEN NULL ELSE c.last_message_preview END AS last_preview, \
                    {lm} \
             FROM conversation_members me \
             JOIN conversations c ON c.id = me.conversation_id \
             JOIN conversation_counters cc ON cc.conversation_id = c.id \
             LEFT JOIN messages lm ON lm.id = c.last_message_id AND lm.seq >= me.history_from \
             WHERE me.user_id = $1 AND c.deleted_at IS NULL AND ($2::uuid IS NULL OR c.id = $2) \
             ORDER BY c.updated_at DESC, c.id DESC",
            lm = message_columns("lm"),
        );
        let member_sql = format!(
            "SELECT m.conversation_id, {MEMBER_COLUMNS}, {USER_COLUMNS} \
             FROM conversation_members m JOIN users u ON u.id = m.user_id \
             WHERE m.conversation_id = ANY($1) ORDER BY m.joined_seq, u.username"
        );
        let viewer = viewer.as_uuid();
        let only = only.map(|id| id.as_uuid());
        self.read(move |c| -> Job<'_, Vec<ConversationSummary>> {
            Box::pin(async move {
                let mut summaries = Vec::new();
                for row in rows(c, &sql, &[&viewer, &only]).await? {
                    summaries.push(summary_from_row(&row)?);
                }
                let listed: Vec<Uuid> = summaries
                    .iter()
                    .filter(|s| {
                        s.conversation.member_count <= ConversationSummary::MEMBER_LIST_LIMIT
                    })
                    .map(|s| s.conversation.id.as_uuid())
                    .collect();
                if listed.is_empty() {
                    return Ok(summaries);
                }
                let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
                for row in rows(c, &member_sql, &[&listed]).await? {
                    members
                        .entry(row.col("conversation_id")?)
                        .or_default()
                        .push(member_from_row(&row)?);
                }
                for summary in summaries.iter_mut() {
                    if summary.conversation.member_count <= ConversationSummary::MEMBER_LIST_LIMIT {
                        summary.members = Some(
                            members
                                .remove(&summary.conversation.id.as_uuid())
                                .unwrap_or_default(),
                        );
                    }
                }
                Ok(summaries)
            })
        })
        .await
    }

    /// One page of discovery (see `ConversationStore::discover`): by the case-folded
    /// `public_name`, which only rooms and channels that are not deleted have.
    pub(crate) async fn discovered(
        &self,
        discovery: Discovery,
    ) -> Result<Vec<Discovered>, StoreError> {
        let pattern = format!(
            "%{}%",
            escape_like(&discovery.query.unwrap_or_default().to_lowercase())
        );
        // `COLLATE "C"`: names page in byte order whatever the database's collation, as the
        // cursor (the last name shown) compares them.
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, \
                    EXISTS (SELECT 1 FROM conversation_members m \
                        WHERE m.conversation_id = c.id AND m.user_id = $1) AS joined \
             FROM conversations c \
             WHERE c.public_name IS NOT NULL AND c.deleted_at IS NULL \
               AND c.public_name LIKE $2 ESCAPE '\\' \
               AND c.public_name COLLATE \"C\" > $3 COLLATE \"C\" \
             ORDER BY c.public_name COLLATE \"C\" LIMIT $4"
        );
        let viewer = discovery.viewer.as_uuid();
        let after = discovery.after.unwrap_or_default();
        let limit = i64::from(discovery.limit);
        self.read(move |c| -> Job<'_, Vec<Discovered>> {
            Box::pin(async move {
                let mut found = Vec::new();
                for row in rows(c, &sql, &[&viewer, &pattern, &after, &limit]).await? {
                    found.push(Discovered {
                        conversation: conversation_from_row(&row)?,
                        joined: row.col("joined")?,
                    });
                }
                Ok(found)
            })
        })
        .await
    }
}
