//! Reading conversations and members out of rows, and the conversation list.
//!
//! [`CONVERSATION_COLUMNS`] / [`conversation_from_row`] and [`MEMBER_COLUMNS`] /
//! [`member_from_row`] are shared by every read that returns a conversation or a member. The
//! list ([`SqliteStore::summaries`]) is two queries whatever its length: one row per
//! conversation with the viewer's own membership, unread count and last visible message,
//! then the members of every conversation small enough to list them.

use std::collections::HashMap;

use hearth_domain::{
    Access, Conversation, ConversationId, ConversationSummary, Description, Member, Permissions,
    Settings, Title, UserId,
};
use hearth_store::StoreError;
use rusqlite::{Row, params};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, unreadable};
use crate::events::{parse_kind, parse_role, parse_visibility};
use crate::rows::{message_columns, message_from_row};
use crate::statements::decode_all;
use crate::users::{USER_COLUMNS, user_from_row};

/// The columns [`conversation_from_row`] reads (`c` is the conversations alias).
pub(crate) const CONVERSATION_COLUMNS: &str = "c.id AS c_id, c.kind AS c_kind, c.title AS c_title, \
     c.description AS c_description, c.require_approval AS c_require_approval, \
     c.history_visibility AS c_history_visibility, c.created_by AS c_created_by, \
     c.created_at AS c_created_at, c.member_count AS c_member_count";

/// Reads a conversation selected with [`CONVERSATION_COLUMNS`].
pub(crate) fn conversation_from_row(row: &Row<'_>) -> Result<Conversation, StoreError> {
    let kind: String = row.column("c_kind")?;
    let title: Option<String> = row.column("c_title")?;
    let visibility: String = row.column("c_history_visibility")?;
    Ok(Conversation {
        id: ConversationId::from_uuid(row.column("c_id")?),
        kind: parse_kind(&kind)?,
        settings: Settings {
            title: title.map(Title::from_trusted),
            description: Description::from_trusted(row.column("c_description")?),
            require_approval: row.column("c_require_approval")?,
            history_visibility: parse_visibility(&visibility)?,
        },
        created_by: UserId::from_uuid(row.column("c_created_by")?),
        created_at: from_micros(row.column("c_created_at")?),
        member_count: row.column("c_member_count")?,
    })
}

/// The columns [`member_from_row`] reads (`m` is the conversation_members alias, `u` the
/// users alias).
pub(crate) const MEMBER_COLUMNS: &str = "m.role, m.permissions, m.joined_at, m.joined_seq, \
     m.last_read_seq, m.last_delivered_seq";

/// Reads a member selected with [`MEMBER_COLUMNS`] and [`USER_COLUMNS`].
pub(crate) fn member_from_row(row: &Row<'_>) -> Result<Member, StoreError> {
    let role: String = row.column("role")?;
    Ok(Member {
        user: user_from_row(row)?,
        role: parse_role(&role)?,
        permissions: Permissions::from_bits(row.column("permissions")?),
        joined_at: from_micros(row.column("joined_at")?),
        joined_seq: row.column("joined_seq")?,
        last_read_seq: row.column("last_read_seq")?,
        last_delivered_seq: row.column("last_delivered_seq")?,
    })
}

/// Reads a member's access from columns named `{prefix}user_id`, `{prefix}role`,
/// `{prefix}permissions` and `{prefix}history_from`; `None` when the role is NULL (an outer
/// join that matched no member).
pub(crate) fn access_from_row(row: &Row<'_>, prefix: &str) -> Result<Option<Access>, StoreError> {
    let col = |c: &str| format!("{prefix}{c}");
    let Some(role) = row.column::<Option<String>>(&col("role"))? else {
        return Ok(None);
    };
    Ok(Some(Access {
        user_id: UserId::from_uuid(row.column(&col("user_id"))?),
        role: parse_role(&role)?,
        permissions: Permissions::from_bits(row.column(&col("permissions"))?),
        history_from: row.column(&col("history_from"))?,
    }))
}

/// Reads one row of [`SqliteStore::summaries`]' first query (members are filled in after).
fn summary_from_row(row: &Row<'_>) -> Result<ConversationSummary, StoreError> {
    Ok(ConversationSummary {
        conversation: conversation_from_row(row)?,
        // An inner join: the viewer's row is there, so its role is.
        me: access_from_row(row, "me_")?.ok_or_else(|| unreadable("member role", "NULL"))?,
        members: None,
        last_seq: row.column("last_seq")?,
        last_message: message_from_row(row, "lm")?,
        last_message_preview: row.column("last_preview")?,
        last_read_seq: row.column("last_read_seq")?,
        unread_count: row.column("unread_count")?,
        updated_at: from_micros(row.column("updated_at")?),
    })
}

impl SqliteStore {
    /// The viewer's conversations (all, or just `only`), with members where few enough.
    pub(crate) async fn summaries(
        &self,
        viewer: UserId,
        only: Option<ConversationId>,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let filter = if only.is_some() { "AND c.id = ?2" } else { "" };
        // The last message is shown only if the viewer sees it: if they do not see the latest,
        // they see none before it either.
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, c.updated_at, cc.next_seq - 1 AS last_seq, \
                    me.user_id AS me_user_id, me.role AS me_role, \
                    me.permissions AS me_permissions, me.history_from AS me_history_from, \
                    me.last_read_seq, \
                    (SELECT COUNT(*) FROM messages x WHERE x.conversation_id = c.id \
                        AND x.seq > me.last_read_seq AND x.seq >= me.history_from \
                        AND x.sender_id <> me.user_id AND x.deleted_at IS NULL) AS unread_count, \
                    CASE WHEN lm.id IS NULL THEN NULL ELSE c.last_message_preview END AS last_preview, \
                    {lm} \
             FROM conversation_members me \
             JOIN conversations c ON c.id = me.conversation_id \
             JOIN conversation_counters cc ON cc.conversation_id = c.id \
             LEFT JOIN messages lm ON lm.id = c.last_message_id AND lm.seq >= me.history_from \
             WHERE me.user_id = ?1 AND c.deleted_at IS NULL {filter} \
             ORDER BY c.updated_at DESC, c.id DESC",
            lm = message_columns("lm"),
        );
        let member_sql = members_sql(only.is_some());
        self.readers
            .read(move |conn| {
                let viewer = viewer.as_uuid();
                let only = only.map(|id| id.as_uuid());
                let summaries = match only {
                    Some(id) => decode_all(conn, &sql, params![viewer, id], summary_from_row)?,
                    None => decode_all(conn, &sql, params![viewer], summary_from_row)?,
                };
                with_members(conn, summaries, &member_sql, viewer, only)
            })
            .await
    }
}

/// Selects the members of the viewer's conversations small enough to list them (`?1` the
/// viewer, `?2` the one conversation or NULL, `?3` the size limit).
fn members_sql(one: bool) -> String {
    let member_filter = if one {
        "m.conversation_id = ?2 \
         AND (SELECT member_count FROM conversations WHERE id = ?2) <= ?3"
    } else {
        "m.conversation_id IN (SELECT mine.conversation_id FROM conversation_members mine \
             JOIN conversations c ON c.id = mine.conversation_id \
             WHERE mine.user_id = ?1 AND c.member_count <= ?3)"
    };
    format!(
        "SELECT m.conversation_id, {MEMBER_COLUMNS}, {USER_COLUMNS} \
         FROM conversation_members m JOIN users u ON u.id = m.user_id \
         WHERE {member_filter} ORDER BY m.joined_seq, u.username"
    )
}

/// Fills in the members of the summaries small enough to list them, with one query.
fn with_members(
    conn: &rusqlite::Connection,
    mut summaries: Vec<ConversationSummary>,
    sql: &str,
    viewer: Uuid,
    only: Option<Uuid>,
) -> Result<Vec<ConversationSummary>, StoreError> {
    let listed = |s: &ConversationSummary| {
        s.conversation.member_count <= ConversationSummary::MEMBER_LIST_LIMIT
    };
    if !summaries.iter().any(listed) {
        return Ok(summaries);
    }
    let rows = decode_all(
        conn,
        sql,
        params![viewer, only, ConversationSummary::MEMBER_LIST_LIMIT],
        |row| {
            Ok((
                row.column::<Uuid>("conversation_id")?,
                member_from_row(row)?,
            ))
        },
    )?;
    let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
    for (conversation, member) in rows {
        members.entry(conversation).or_default().push(member);
    }
    for summary in summaries.iter_mut().filter(|s| listed(s)) {
        summary.members = Some(
            members
                .remove(&summary.conversation.id.as_uuid())
                .unwrap_or_default(),
        );
    }
    Ok(summaries)
}
