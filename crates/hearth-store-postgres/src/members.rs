//! Members and join requests in PostgreSQL.
//!
//! Every change is one transaction that takes the next seq and logs its event; a join writes
//! its membership with `conversations::Joining`. The member row is read `FOR UPDATE`, so two
//! nodes changing one member wait for each other instead of acting on a stale row.

use deadpool_postgres::Transaction;
use hearth_domain::{
    Access, ConversationEvent, ConversationId, EventKind, Member, Permissions, Role, Timestamp,
    UserId,
};
use hearth_store::stored::parse_role;
use hearth_store::{
    ConflictKind, Departure, JoinRequest, MemberStore, Missing, NewMember, StoreError,
};
use tokio_postgres::Row;

use crate::PostgresStore;
use crate::conversations::{Joining, live};
use crate::db::{Columns, Job, at_micros, exec, exec_raw, opt_row, rows};
use crate::error::{Failure, Violation, violation};
use crate::events::Logged;
use crate::messages::take_seq;
use crate::rows::{USER_COLUMNS, user_from_row};
use crate::summaries::{MEMBER_COLUMNS, access_from_row, member_from_row};

/// The member's role, read and locked in the transaction (`None`: not a member).
async fn role_of(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    user: UserId,
) -> Result<Option<Role>, Failure> {
    let row = opt_row(
        tx,
        "SELECT role FROM conversation_members WHERE conversation_id = $1 AND user_id = $2 \
         FOR UPDATE",
        &[&conversation.as_uuid(), &user.as_uuid()],
    )
    .await?;
    match row {
        Some(row) => Ok(Some(parse_role(&row.col::<String>("role")?)?)),
        None => Ok(None),
    }
}

/// Adds an ordinary member at the next seq and logs `member_joined`.
async fn add(tx: &Transaction<'_>, new: NewMember) -> Result<ConversationEvent, Failure> {
    let conversation = live(tx, new.conversation).await?;
    if role_of(tx, new.conversation, new.user).await?.is_some() {
        return Err(StoreError::Conflict(ConflictKind::AlreadyMember).into());
    }
    let seq = take_seq(tx, new.conversation).await?;
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
    .record(tx)
    .await?;
    delete_request(tx, new.conversation, new.user).await?;
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
    .await
}

/// Deletes a join request; returns whether there was one.
async fn delete_request(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    user: UserId,
) -> Result<bool, Failure> {
    let deleted = exec(
        tx,
        "DELETE FROM join_requests WHERE conversation_id = $1 AND user_id = $2",
        &[&conversation.as_uuid(), &user.as_uuid()],
    )
    .await?;
    Ok(deleted > 0)
}

async fn approve(tx: &Transaction<'_>, new: NewMember) -> Result<ConversationEvent, Failure> {
    let pending = opt_row(
        tx,
        "SELECT 1 FROM join_requests WHERE conversation_id = $1 AND user_id = $2 FOR UPDATE",
        &[&new.conversation.as_uuid(), &new.user.as_uuid()],
    )
    .await?;
    if pending.is_none() {
        return Err(StoreError::NotFound(Missing::JoinRequest).into());
    }
    // Adding removes the request.
    add(tx, new).await
}

async fn remove(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    user: UserId,
    departure: Departure,
    at: Timestamp,
) -> Result<ConversationEvent, Failure> {
    if role_of(tx, conversation, user).await?.is_none() {
        return Err(StoreError::NotFound(Missing::Member).into());
    }
    let seq = take_seq(tx, conversation).await?;
    exec(
        tx,
        "DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2",
        &[&conversation.as_uuid(), &user.as_uuid()],
    )
    .await?;
    exec(
        tx,
        "UPDATE conversations SET member_count = member_count - 1 WHERE id = $1",
        &[&conversation.as_uuid()],
    )
    .await?;
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
    .await
}

/// Sets a member's role and permissions; returns whether they are a member.
async fn set_standing(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    user: UserId,
    role: Role,
    permissions: Permissions,
) -> Result<bool, Failure> {
    let updated = exec(
        tx,
        "UPDATE conversation_members SET role = $1, permissions = $2 \
         WHERE conversation_id = $3 AND user_id = $4",
        &[
            &role.as_str(),
            &permissions.to_bits(),
            &conversation.as_uuid(),
            &user.as_uuid(),
        ],
    )
    .await?;
    Ok(updated > 0)
}

/// The arguments of a member update.
#[derive(Clone, Copy)]
struct MemberUpdate {
    conversation: ConversationId,
    user: UserId,
    actor: UserId,
    role: Role,
    permissions: Permissions,
    at: Timestamp,
}

async fn update(tx: &Transaction<'_>, change: MemberUpdate) -> Result<ConversationEvent, Failure> {
    let MemberUpdate {
        conversation,
        user,
        actor,
        role,
        permissions,
        at,
    } = change;
    if !set_standing(tx, conversation, user, role, permissions).await? {
        return Err(StoreError::NotFound(Missing::Member).into());
    }
    let seq = take_seq(tx, conversation).await?;
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
    .await
}

async fn transfer(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    from: UserId,
    to: UserId,
    at: Timestamp,
) -> Result<ConversationEvent, Failure> {
    if role_of(tx, conversation, to).await?.is_none() {
        return Err(StoreError::NotFound(Missing::Member).into());
    }
    // Handing ownership to oneself would leave the conversation without an owner.
    if from == to || role_of(tx, conversation, from).await? != Some(Role::Owner) {
        return Err(StoreError::Conflict(ConflictKind::NotOwner).into());
    }
    let seq = take_seq(tx, conversation).await?;
    set_standing(tx, conversation, to, Role::Owner, Permissions::ALL).await?;
    set_standing(tx, conversation, from, Role::Admin, Permissions::ALL).await?;
    Logged {
        conversation,
        seq,
        actor: from,
        at,
    }
    .log(tx, EventKind::OwnershipTransferred { user_id: to })
    .await
}

/// Selects join requests with their conversation id, `requested_at` and [`USER_COLUMNS`];
/// `filter` completes the WHERE clause.
fn join_requests_sql(filter: &str) -> String {
    format!(
        "SELECT jr.conversation_id, jr.created_at AS requested_at, {USER_COLUMNS} \
         FROM join_requests jr JOIN users u ON u.id = jr.user_id WHERE {filter}"
    )
}

/// Reads a join request selected by [`join_requests_sql`].
fn join_request_from_row(row: &Row) -> Result<JoinRequest, StoreError> {
    Ok(JoinRequest {
        conversation_id: ConversationId::from_uuid(row.col("conversation_id")?),
        user: user_from_row(row)?,
        created_at: row.col("requested_at")?,
    })
}

async fn request(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    user: UserId,
    at: Timestamp,
) -> Result<JoinRequest, Failure> {
    live(tx, conversation).await?;
    if role_of(tx, conversation, user).await?.is_some() {
        return Err(StoreError::Conflict(ConflictKind::AlreadyMember).into());
    }
    exec_raw(
        tx,
        "INSERT INTO join_requests (conversation_id, user_id, created_at) VALUES ($1, $2, $3)",
        &[&conversation.as_uuid(), &user.as_uuid(), &at],
    )
    .await
    .map_err(|err| {
        violation(err, |v| match v {
            Violation::Unique(_) => Some(StoreError::Conflict(ConflictKind::JoinRequestPending)),
            Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
        })
    })?;
    let row = opt_row(
        tx,
        &join_requests_sql("jr.conversation_id = $1 AND jr.user_id = $2"),
        &[&conversation.as_uuid(), &user.as_uuid()],
    )
    .await?
    .ok_or(StoreError::NotFound(Missing::JoinRequest))?;
    Ok(join_request_from_row(&row)?)
}

#[async_trait::async_trait]
impl MemberStore for PostgresStore {
    async fn add_member(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        let new = NewMember {
            at: at_micros(new.at),
            ..new
        };
        self.write(|tx| -> Job<'_, ConversationEvent> { Box::pin(add(tx, new)) })
            .await
    }

    async fn approve_join_request(&self, new: NewMember) -> Result<ConversationEvent, StoreError> {
        let new = NewMember {
            at: at_micros(new.at),
            ..new
        };
        self.write(|tx| -> Job<'_, ConversationEvent> { Box::pin(approve(tx, new)) })
            .await
    }

    async fn remove_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        departure: Departure,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.write(|tx| -> Job<'_, ConversationEvent> {
            Box::pin(remove(tx, conversation, user, departure, at))
        })
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
        self.write(|tx| -> Job<'_, ConversationEvent> { Box::pin(update(tx, change)) })
            .await
    }

    async fn transfer_ownership(
        &self,
        conversation: ConversationId,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError> {
        self.write(|tx| -> Job<'_, ConversationEvent> {
            Box::pin(transfer(tx, conversation, from, to, at))
        })
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
             WHERE m.conversation_id = $1 ORDER BY m.joined_seq, u.username LIMIT $2 OFFSET $3"
        );
        let (limit, offset) = (i64::from(limit), i64::from(offset));
        self.read(move |c| -> Job<'_, Vec<Member>> {
            Box::pin(async move {
                let found = rows(c, &sql, &[&conversation.as_uuid(), &limit, &offset]).await?;
                Ok(found
                    .iter()
                    .map(member_from_row)
                    .collect::<Result<_, _>>()?)
            })
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
             WHERE m.conversation_id = $1 AND m.user_id = $2"
        );
        self.read(move |c| -> Job<'_, Option<Member>> {
            Box::pin(async move {
                let row = opt_row(c, &sql, &[&conversation.as_uuid(), &user.as_uuid()]).await?;
                Ok(row.as_ref().map(member_from_row).transpose()?)
            })
        })
        .await
    }

    async fn audience(&self, conversation: ConversationId) -> Result<Vec<Access>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<Access>> {
            Box::pin(async move {
                let found = rows(
                    c,
                    "SELECT user_id, role, permissions, history_from FROM conversation_members \
                     WHERE conversation_id = $1",
                    &[&conversation.as_uuid()],
                )
                .await?;
                let mut accesses = Vec::with_capacity(found.len());
                for row in found {
                    accesses.extend(access_from_row(&row, "")?);
                }
                Ok(accesses)
            })
        })
        .await
    }

    async fn request_join(
        &self,
        conversation: ConversationId,
        user: UserId,
        at: Timestamp,
    ) -> Result<JoinRequest, StoreError> {
        let at = at_micros(at);
        self.write(|tx| -> Job<'_, JoinRequest> { Box::pin(request(tx, conversation, user, at)) })
            .await
    }

    async fn join_requests(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<JoinRequest>, StoreError> {
        let sql = join_requests_sql("jr.conversation_id = $1 ORDER BY jr.created_at, u.username");
        self.read(move |c| -> Job<'_, Vec<JoinRequest>> {
            Box::pin(async move {
                let found = rows(c, &sql, &[&conversation.as_uuid()]).await?;
                Ok(found
                    .iter()
                    .map(join_request_from_row)
                    .collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn deny_join_request(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        self.write(|tx| -> Job<'_, bool> { Box::pin(delete_request(tx, conversation, user)) })
            .await
    }
}
