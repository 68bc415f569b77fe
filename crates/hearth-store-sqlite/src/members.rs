//! Members and join requests in SQLite.
//!
//! Every change is one writer job that takes the next seq and logs its event; a join writes
//! its membership with `joins::Joining`.

use hearth_domain::{
    Access, ConversationEvent, ConversationId, EventKind, Member, Permissions, Role, Timestamp,
    UserId,
};
use hearth_store::{
    ConflictKind, Departure, JoinRequest, MemberStore, Missing, NewMember, StoreError,
};
use rusqlite::{Row, params};

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, is_unique_violation, micros, missing_row, store_error};
use crate::conversations::live;
use crate::events::{Logged, parse_role};
use crate::joins::Joining;
use crate::messages::take_seq;
use crate::statements::{decode_all, decode_opt, execute, query_opt};
use crate::summaries::{MEMBER_COLUMNS, access_from_row, member_from_row};
use crate::tx::Tx;
use crate::users::{USER_COLUMNS, user_from_row};

/// The member's role, read in the writer's transaction (`None`: not a member).
fn role_of(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
) -> Result<Option<Role>, StoreError> {
    let role = query_opt(
        tx,
        "SELECT role FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
        params![conversation.as_uuid(), user.as_uuid()],
        |row| row.get::<_, String>(0),
    )
    .map_err(store_error)?;
    role.as_deref().map(parse_role).transpose()
}

/// Adds an ordinary member at the next seq and logs `member_joined`.
fn add(tx: &Tx, new: NewMember) -> Result<ConversationEvent, StoreError> {
    let conversation = live(tx, new.conversation)?;
    if role_of(tx, new.conversation, new.user)?.is_some() {
        return Err(StoreError::Conflict(ConflictKind::AlreadyMember));
    }
    let seq = take_seq(tx, new.conversation)?;
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
    .record(tx)?;
    delete_request(tx, new.conversation, new.user)?;
    Logged {
        conversation: new.conversation,
        seq,
        actor: new.actor,
        at: new.at,
    }
    .log(
        tx,
        EventKind::MemberJoined {
            user_id: new.user,
            role: Role::Member,
            permissions: new.permissions,
        },
    )
}

/// Deletes a join request; returns whether there was one.
fn delete_request(tx: &Tx, conversation: ConversationId, user: UserId) -> Result<bool, StoreError> {
    let deleted = execute(
        tx,
        "DELETE FROM join_requests WHERE conversation_id = ? AND user_id = ?",
        params![conversation.as_uuid(), user.as_uuid()],
    )
    .map_err(store_error)?;
    Ok(deleted > 0)
}

fn approve(tx: &Tx, new: NewMember) -> Result<ConversationEvent, StoreError> {
    let pending = query_opt(
        tx,
        "SELECT 1 FROM join_requests WHERE conversation_id = ? AND user_id = ?",
        params![new.conversation.as_uuid(), new.user.as_uuid()],
        |row| row.get::<_, i64>(0),
    )
    .map_err(store_error)?;
    if pending.is_none() {
        return Err(StoreError::NotFound(Missing::JoinRequest));
    }
    // Adding removes the request.
    add(tx, new)
}

fn remove(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    departure: Departure,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    if role_of(tx, conversation, user)?.is_none() {
        return Err(StoreError::NotFound(Missing::Member));
    }
    let seq = take_seq(tx, conversation)?;
    execute(
        tx,
        "DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
        params![conversation.as_uuid(), user.as_uuid()],
    )
    .map_err(store_error)?;
    execute(
        tx,
        "UPDATE conversations SET member_count = member_count - 1 WHERE id = ?",
        params![conversation.as_uuid()],
    )
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
    .log(tx, kind)
}

/// Sets a member's role and permissions; returns whether they are a member.
fn set_standing(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    role: Role,
    permissions: Permissions,
) -> Result<bool, StoreError> {
    let updated = execute(
        tx,
        "UPDATE conversation_members SET role = ?, permissions = ? \
         WHERE conversation_id = ? AND user_id = ?",
        params![
            role.as_str(),
            permissions.to_bits(),
            conversation.as_uuid(),
            user.as_uuid(),
        ],
    )
    .map_err(store_error)?;
    Ok(updated > 0)
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

fn update(tx: &Tx, change: MemberUpdate) -> Result<ConversationEvent, StoreError> {
    let MemberUpdate {
        conversation,
        user,
        actor,
        role,
        permissions,
        at,
    } = change;
    if !set_standing(tx, conversation, user, role, permissions)? {
        return Err(StoreError::NotFound(Missing::Member));
    }
    let seq = take_seq(tx, conversation)?;
    Logged {
        conversation,
        seq,
        actor,
        at,
    }
    .log(
        tx,
        EventKind::MemberUpdated {
            user_id: user,
            role,
            permissions,
        },
    )
}

fn transfer(
    tx: &Tx,
    conversation: ConversationId,
    from: UserId,
    to: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, StoreError> {
    if role_of(tx, conversation, to)?.is_none() {
        return Err(StoreError::NotFound(Missing::Member));
    }
    // Handing ownership to oneself would leave the conversation without an owner.
    if from == to || role_of(tx, conversation, from)? != Some(Role::Owner) {
        return Err(StoreError::Conflict(ConflictKind::NotOwner));
    }
    let seq = take_seq(tx, conversation)?;
    set_standing(tx, conversation, to, Role::Owner, Permissions::ALL)?;
    set_standing(tx, conversation, from, Role::Admin, Permissions::ALL)?;
    Logged {
        conversation,
        seq,
        actor: from,
        at,
    }
    .log(tx, EventKind::OwnershipTransferred { user_id: to })
}

/// Selects join requests with their conversation id, `requested_at` and [`USER_COLUMNS`];
/// `filter` completes the WHERE clause.
fn join_requests_sql(filter: &str) -> String {
    format!(
        "SELECT jr.conversation_id, jr.created_at AS requested_at, {USER_COLUMNS} \
         FROM join_requests jr JOIN users u ON u.id = jr.user_id WHERE {filter}"
    )
}

fn request(
    tx: &Tx,
    conversation: ConversationId,
    user: UserId,
    at: Timestamp,
) -> Result<JoinRequest, StoreError> {
    live(tx, conversation)?;
    if role_of(tx, conversation, user)?.is_some() {
        return Err(StoreError::Conflict(ConflictKind::AlreadyMember));
    }
    execute(
        tx,
        "INSERT INTO join_requests (conversation_id, user_id, created_at) VALUES (?, ?, ?)",
        params![conversation.as_uuid(), user.as_uuid(), micros(at)],
    )
    .map_err(|err| {
        if is_unique_violation(&err) {
            StoreError::Conflict(ConflictKind::JoinRequestPending)
        } else {
            missing_row(Missing::User)(err)
        }
    })?;
    decode_all(
        tx,
        &join_requests_sql("jr.conversation_id = ? AND jr.user_id = ?"),
        params![conversation.as_uuid(), user.as_uuid()],
        join_request_from_row,
    )?
    .into_iter()
    .next()
    .ok_or(StoreError::NotFound(Missing::JoinRequest))
}

/// Reads a join request selected by [`join_requests_sql`].
fn join_request_from_row(row: &Row<'_>) -> Result<JoinRequest, StoreError> {
    Ok(JoinRequest {
        conversation_id: ConversationId::from_uuid(row.column("conversation_id")?),
        user: user_from_row(row)?,
        created_at: from_micros(row.column("requested_at")?),
    })
}

#[async_trait::async_trait]
impl MemberStore for SqliteStore {
    async fn add_member(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        self.writer.write(move |tx| add(tx, new)).await
    }

    async fn approve_join_request(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        self.writer.write(move |tx| approve(tx, new)).await
    }

    async fn remove_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        departure: Departure,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |tx| remove(tx, conversation, user, departure, at))
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
        self.writer.write(move |tx| update(tx, change)).await
    }

    async fn transfer_ownership(
        &self,
        conversation: ConversationId,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.writer
            .write(move |tx| transfer(tx, conversation, from, to, at))
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
        let (limit, offset) = (i64::from(limit), i64::from(offset));
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    &sql,
                    params![conversation.as_uuid(), limit, offset],
                    member_from_row,
                )
            })
            .await
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
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    &sql,
                    params![conversation.as_uuid(), user.as_uuid()],
                    member_from_row,
                )
            })
            .await
    }

    async fn audience(&self, conversation: ConversationId) -> Result<Vec<Access>, StoreError> {
        let accesses = self
            .readers
            .read(move |conn| {
                decode_all(
                    conn,
                    "SELECT user_id, role, permissions, history_from FROM conversation_members \
                     WHERE conversation_id = ?",
                    params![conversation.as_uuid()],
                    |row| access_from_row(row, ""),
                )
            })
            .await?;
        Ok(accesses.into_iter().flatten().collect())
    }

    async fn request_join(
        &self,
        conversation: ConversationId,
        user: UserId,
        at: Timestamp,
    ) -> Result<JoinRequest, StoreError> {
        self.writer
            .write(move |tx| request(tx, conversation, user, at))
            .await
    }

    async fn join_requests(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<JoinRequest>, StoreError> {
        let sql = join_requests_sql("jr.conversation_id = ? ORDER BY jr.created_at, u.username");
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    &sql,
                    params![conversation.as_uuid()],
                    join_request_from_row,
                )
            })
            .await
    }

    async fn deny_join_request(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |tx| delete_request(tx, conversation, user))
            .await
    }
}
