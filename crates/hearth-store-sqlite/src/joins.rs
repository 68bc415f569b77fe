//! Becoming a member in SQLite, as the writer records it: shared by the conversations that
//! start with their members and by the joins that come later.
//!
//! A join ([`Joining::record`]) writes the member row with its role, permissions and the seq
//! of the event that made it, remembers the user's first join (kept across leave and rejoin),
//! sets `history_from` with the domain's `HistoryVisibility::visible_from`, starts the
//! markers at the join and counts the member. It logs no event: its caller does.

use hearth_domain::{ConversationId, HistoryVisibility, Permissions, Role, Seq, Timestamp, UserId};
use hearth_store::{ConflictKind, Missing, StoreError};
use rusqlite::params;

use crate::codec::{is_unique_violation, micros, missing_row, store_error};
use crate::statements::{execute, query_one};
use crate::tx::Tx;

/// Someone becoming a member, as the writer records it.
pub(crate) struct Joining {
    /// The conversation.
    pub(crate) conversation: ConversationId,
    /// The new member.
    pub(crate) user: UserId,
    /// Their role.
    pub(crate) role: Role,
    /// Their permissions.
    pub(crate) permissions: Permissions,
    /// The conversation's history visibility.
    pub(crate) visibility: HistoryVisibility,
    /// The seq of the event that makes them a member.
    pub(crate) seq: Seq,
    /// Where their read and delivered markers start.
    pub(crate) markers: Seq,
    /// When.
    pub(crate) at: Timestamp,
}

impl Joining {
    /// Writes the membership. `Conflict(AlreadyMember)` when they already are one,
    /// `NotFound(User)` when the user does not exist.
    pub(crate) fn record(self, tx: &Tx) -> Result<(), StoreError> {
        let conversation = self.conversation.as_uuid();
        let user = self.user.as_uuid();
        execute(
            tx,
            "INSERT OR IGNORE INTO member_first_joins (conversation_id, user_id, seq) \
             VALUES (?, ?, ?)",
            params![conversation, user, self.seq],
        )
        .map_err(missing_row(Missing::User))?;
        let first_joined: Seq = query_one(
            tx,
            "SELECT seq FROM member_first_joins WHERE conversation_id = ? AND user_id = ?",
            params![conversation, user],
            |row| row.get(0),
        )
        .map_err(store_error)?;
        let history_from = self.visibility.visible_from(first_joined, self.seq);
        execute(
            tx,
            "INSERT INTO conversation_members (conversation_id, user_id, role, permissions, \
                 joined_at, joined_seq, history_from, last_read_seq, last_delivered_seq) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                conversation,
                user,
                self.role.as_str(),
                self.permissions.to_bits(),
                micros(self.at),
                self.seq,
                history_from,
                self.markers,
                self.markers,
            ],
        )
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict(ConflictKind::AlreadyMember)
            } else {
                missing_row(Missing::User)(err)
            }
        })?;
        execute(
            tx,
            "UPDATE conversations SET member_count = member_count + 1 WHERE id = ?",
            params![conversation],
        )
        .map_err(store_error)?;
        Ok(())
    }
}
