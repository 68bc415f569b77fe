//! Members and join requests in SQLite.
//!
//! A join ([`Joining::record`]) writes the member row with its role, permissions and the seq
//! of the event that made it, remembers the user's first join (kept across leave and rejoin),
//! sets `history_from` with the domain's `HistoryVisibility::visible_from`, starts the
//! markers at the join and counts the member. Every change is one writer job that takes the
//! next seq and logs its event.

use hearth_domain::{
    Access, ConversationEvent, ConversationId, EventKind, HistoryVisibility, Member, Permissions,
    Role, Seq, Timestamp, UserId,
};
use hearth_store::{Departure, JoinRequest, MemberStore, NewMember, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection};

use crate::SqliteStore;
use crate::codec::{from_micros, is_unique_violation, micros, missing_row, store_error};
use crate::conversations::live;
use crate::events::{Logged, parse_role};
use crate::messages::take_seq;
use crate::summaries::{MEMBER_COLUMNS, access_from_row, member_from_row};
use crate::users::{USER_COLUMNS, user_from_row};

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
    /// Writes the membership. `Conflict("member")` when they already are one,
    /// `NotFound("user")` when the user does not exist.
    pub(crate) async fn record(self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        let conversation = self.conversation.as_uuid();
        let user = self.user.as_uuid();
        sqlx::query(
            "INSERT OR IGNORE INTO member_first_joins (conversation_id, user_id, seq) \
             VALUES (?, ?, ?)",
        )
        .bind(conversation)
        .bind(user)
        .bind(self.seq)
        .execute(&mut *conn)
        .await
        .map_err(missing_row("user"))?;
        let first_joined: Seq = sqlx::query_scalar(
            "SELECT seq FROM member_first_joins WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(conversation)
        .bind(user)
        .fetch_one(&mut *conn)
        .await
        .map_err(store_error)?;
        let history_from = self.visibility.visible_from(first_joined, self.seq);
        sqlx::query(
            "INSERT INTO conversation_members (conversation_id, user_id, role, permissions, \
                 joined_at, joined_seq, history_from, last_read_seq, last_delivered_seq) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(conversation)
        .bind(user)
        .bind(self.role.as_str())
        .bind(self.permissions.to_bits())
        .bind(micros(self.at))
        .bind(self.seq)
        .bind(history_from)
        .bind(self.markers)
        .bind(self.markers)
        .execute(&mut *conn)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict("member")
            } else {
                missing_row("user")(err)
            }
        })?;
        sqlx::query("UPDATE conversations SET member_count = member_count + 1 WHERE id = ?")
            .bind(conversation)
            .execute(&mut *conn)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

/// The member's role, read in the writer's transaction (`None`: not a member).
async fn role_of(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
) -> Result<Option<Role>, StoreError> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
    )
    .bind(conversation.as_uuid())
    .bind(user.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(store_error)?;
    role.as_deref().map(parse_role).transpose()
}

/// Adds an ordinary member at the next seq and logs `member_joined`.
async fn add(conn: &mut SqliteConnection, new: NewMember) -> Result<ConversationEvent, StoreError> {
    let conversation = live(conn, new.conversation).await?;
    if role_of(conn, new.conversation, new.user).await?.is_some() {
        return Err(StoreError::Conflict("member"));
    }
    let seq = take_seq(conn, new.conversation).await?;
    Joining {
        conversation: new.conversation,
        user: new.user,
        role: Role::Member,
        permissions: new.permissions,
        visibility: conversation.visibility,
        seq,
        markers: seq,
        at: new.at,
    }
    .record(conn)
    .await?;
    sqlx::query("DELETE FROM join_requests WHERE conversation_id = ? AND user_id = ?")
        .bind(new.conversation.as_uuid())
        .bind(new.user.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    Logged {
        conversation: new.conversation,
        seq,
        actor: new.actor,
        at: new.at,
    }
    .log(
        conn,
        EventKind::MemberJoined {
            user_id: new.user,
            role: Role::Member,
            permissions: new.permissions,
        },
    )
    .await
}

async fn approve(
    conn: &mut SqliteConnection,
    new: NewMember,
) -> Result<ConversationEvent, StoreError> {
    let pending: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM join_requests WHERE conversation_id = ? AND user_id = ?")
            .bind(new.conversation.as_uuid())
            .bind(new.user.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(store_error)?;
    if pending.is_none() {
        return Err(StoreError::NotFound("join_request"));
    }
    // Adding removes the request.
    add(conn, new).await
}

async fn remove(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    departure: Departure,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    if role_of(conn, conversation, user).await?.is_none() {
        return Err(StoreError::NotFound("member"));
    }
    let seq = take_seq(conn, conversation).await?;
    sqlx::query("DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?")
        .bind(conversation.as_uuid())
        .bind(user.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    sqlx::query("UPDATE conversations SET member_count = member_count - 1 WHERE id = ?")
        .bind(conversation.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    let (actor, kind) = match departure {
        Departure::Left => (user, EventKind::MemberLeft { user_id: user }),
        Departure::Removed { by } => (by, EventKind::MemberRemoved { user_id: user }),
    };
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(conn, kind)
    .await
}

/// Sets a member's role and permissions; returns whether they are a member.
async fn set_standing(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    role: Role,
    permissions: Permissions,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE conversation_members SET role = ?, permissions = ? \
         WHERE conversation_id = ? AND user_id = ?",
    )
    .bind(role.as_str())
    .bind(permissions.to_bits())
    .bind(conversation.as_uuid())
    .bind(user.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(store_error)?;
    Ok(updated.rows_affected() > 0)
}

/// The arguments of a member update.
struct MemberUpdate {
    conversation: ConversationId,
    user: UserId,
    actor: UserId,
    role: Role,
    permissions: Permissions,
    at: Timestamp,
}

async fn update(
    conn: &mut SqliteConnection,
    change: MemberUpdate,
) -> Result<ConversationEvent, StoreError> {
    let MemberUpdate {
        conversation,
        user,
        actor,
        role,
        permissions,
        at,
    } = change;
    if !set_standing(conn, conversation, user, role, permissions).await? {
        return Err(StoreError::NotFound("member"));
    }
    let seq = take_seq(conn, conversation).await?;
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(
        conn,
        EventKind::MemberUpdated {
            user_id: user,
            role,
            permissions,
        },
    )
    .await
}

async fn transfer(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    from: UserId,
    to: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    if role_of(conn, conversation, to).await?.is_none() {
        return Err(StoreError::NotFound("member"));
    }
    // Handing ownership to oneself would leave the conversation without an owner.
    if from == to || role_of(conn, conversation, from).await? != Some(Role::Owner) {
        return Err(StoreError::Conflict("owner"));
    }
    let seq = take_seq(conn, conversation).await?;
    set_standing(conn, conversation, to, Role::Owner, Permissions::ALL).await?;
    set_standing(conn, conversation, from, Role::Admin, Permissions::ALL).await?;
    Logged {
        conversation,
        seq,
        actor: from,
        at,
    }
    .log(conn, EventKind::OwnershipTransferred { user_id: to })
    .await
}

async fn request(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    user: UserId,
    at: Timestamp,
) -> Result<JoinRequest, StoreError> {
    live(conn, conversation).await?;
    if role_of(conn, conversation, user).await?.is_some() {
        return Err(StoreError::Conflict("member"));
    }
    sqlx::query(
        "INSERT INTO join_requests (conversation_id, user_id, created_at) VALUES (?, ?, ?)",
    )
    .bind(conversation.as_uuid())
    .bind(user.as_uuid())
    .bind(micros(at))
    .execute(&mut *conn)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            StoreError::Conflict("join_request")
        } else {
            missing_row("user")(err)
        }
    })?;
    let sql = format!(
        "SELECT jr.conversation_id, jr.created_at AS requested_at, {USER_COLUMNS} \
         FROM join_requests jr JOIN users u ON u.id = jr.user_id \
         WHERE jr.conversation_id = ? AND jr.user_id = ?"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(conversation.as_uuid())
        .bind(user.as_uuid())
        .fetch_one(&mut *conn)
        .await
        .map_err(store_error)?;
    join_request_from_row(&row)
}

/// Reads a join request selected with its conversation id, `requested_at` and
/// [`USER_COLUMNS`].
fn join_request_from_row(row: &SqliteRow) -> Result<JoinRequest, StoreError> {
    Ok(JoinRequest {
        conversation_id: ConversationId::from_uuid(
            row.try_get("conversation_id").map_err(store_error)?,
        ),
        user: user_from_row(row)?,
        created_at: from_micros(row.try_get("requested_at").map_err(store_error)?),
    })
}

#[async_trait::async_trait]
impl MemberStore for SqliteStore {
    async fn add_member(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(add(conn, new)))
            .await
    }

    async fn approve_join_request(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(approve(conn, new)))
            .await
    }

    async fn remove_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        departure: Departure,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(remove(conn, conversation, user, departure, at)))
            .await
    }

    async fn update_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        actor: UserId,
        role: Role,
        permissions: Permissions,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        let change = MemberUpdate {
            conversation,
            user,
            actor,
            role,
            permissions,
            at,
        };
        self.writer
            .write(move |conn| Box::pin(update(conn, change)))
            .await
    }

    async fn transfer_ownership(
        &self,
        conversation: ConversationId,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |conn| Box::pin(transfer(conn, conversation, from, to, at)))
            .await
    }

    async fn members(
        &self,
        conversation: ConversationId,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS}, {USER_COLUMNS} \
             FROM conversation_members m JOIN users u ON u.id = m.user_id \
             WHERE m.conversation_id = ? ORDER BY m.joined_seq, u.username LIMIT ? OFFSET ?"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.readers)
            .await
            .map_err(store_error)?;
        rows.iter().map(member_from_row).collect()
    }

    async fn member(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<Member>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS}, {USER_COLUMNS} \
             FROM conversation_members m JOIN users u ON u.id = m.user_id \
             WHERE m.conversation_id = ? AND m.user_id = ?"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(&self.readers)
            .await
            .map_err(store_error)?;
        row.as_ref().map(member_from_row).transpose()
    }

    async fn audience(&self, conversation: ConversationId) -> Result<Vec<Access>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, role, permissions, history_from FROM conversation_members \
             WHERE conversation_id = ?",
        )
        .bind(conversation.as_uuid())
        .fetch_all(&self.readers)
        .await
        .map_err(store_error)?;
        rows.iter()
            .filter_map(|row| access_from_row(row, "").transpose())
            .collect()
    }

    async fn request_join(
        &self,
        conversation: ConversationId,
        user: UserId,
        at: Timestamp,
    ) -> Result<JoinRequest, StoreError> {
        self.writer
            .write(move |conn| Box::pin(request(conn, conversation, user, at)))
            .await
    }

    async fn join_requests(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<JoinRequest>, StoreError> {
        let sql = format!(
            "SELECT jr.conversation_id, jr.created_at AS requested_at, {USER_COLUMNS} \
             FROM join_requests jr JOIN users u ON u.id = jr.user_id \
             WHERE jr.conversation_id = ? ORDER BY jr.created_at, u.username"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(conversation.as_uuid())
            .fetch_all(&self.readers)
            .await
            .map_err(store_error)?;
        rows.iter().map(join_request_from_row).collect()
    }

    async fn deny_join_request(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let deleted = sqlx::query(
                        "DELETE FROM join_requests WHERE conversation_id = ? AND user_id = ?",
                    )
                    .bind(conversation.as_uuid())
                    .bind(user.as_uuid())
                    .execute(&mut *conn)
                    .await
                    .map_err(store_error)?;
                    Ok(deleted.rows_affected() > 0)
                })
            })
            .await
    }
}
