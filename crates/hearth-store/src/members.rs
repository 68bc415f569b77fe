//! Membership changes, member lists and join requests.
//!
//! Every change is one write that takes the conversation's next seq and logs the event it
//! returns, so sync and the sockets see membership like any other change. A member's
//! `history_from` is set when they join, from the conversation's history visibility
//! (`HistoryVisibility::visible_from`), and their markers start at their join, so nothing
//! from before counts as unread.

use hearth_domain::{
    Access, ConversationEvent, ConversationId, Member, Permissions, Role, Timestamp, User, UserId,
};

use crate::StoreError;

/// Someone becoming a member.
#[derive(Clone, Copy, Debug)]
pub struct NewMember {
    /// The conversation.
    pub conversation: ConversationId,
    /// The new member.
    pub user: UserId,
    /// Who added them (themselves when they joined).
    pub actor: UserId,
    /// Their permissions (ordinary members only; the role is `member`).
    pub permissions: Permissions,
    /// When.
    pub at: Timestamp,
}

/// How a member goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Departure {
    /// They left by themselves (`member_left`).
    Left,
    /// The actor removed them (`member_removed`).
    Removed {
        /// Who removed them.
        by: UserId,
    },
}

/// A pending request to join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Who asks.
    pub user: User,
    /// When they asked.
    pub created_at: Timestamp,
}

/// Storage of members and join requests.
#[async_trait::async_trait]
pub trait MemberStore: Send + Sync {
    /// Adds a member, logging `member_joined`. `Conflict(AlreadyMember)` when they already are one;
    /// `NotFound(User)` when the user does not exist; `NotFound(Conversation)` when it
    /// does not exist. Removes a pending join request of theirs.
    async fn add_member(&self, new: NewMember) -> Result<ConversationEvent, StoreError>;

    /// Approves a pending join request: removes it and adds the member, in one write.
    /// `NotFound(JoinRequest)` when there is none.
    async fn approve_join_request(&self, new: NewMember) -> Result<ConversationEvent, StoreError>;

    /// Removes a member, logging `member_left` or `member_removed`. `NotFound(Member)` when
    /// they are not one.
    async fn remove_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        departure: Departure,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError>;

    /// Sets a member's role and permissions, logging `member_updated`. `NotFound(Member)`
    /// when they are not one.
    async fn update_member(
        &self,
        conversation: ConversationId,
        user: UserId,
        actor: UserId,
        role: Role,
        permissions: Permissions,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError>;

    /// Makes `to` the owner and the current owner `from` an admin, logging
    /// `ownership_transferred`. `NotFound(Member)` when `to` is not a member,
    /// `Conflict(NotOwner)` when `from` is not the owner any more.
    async fn transfer_ownership(
        &self,
        conversation: ConversationId,
        from: UserId,
        to: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError>;

    /// Members in join order, `offset` skipped, at most `limit`.
    async fn members(
        &self,
        conversation: ConversationId,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError>;

    /// One member (`None`: not a member).
    async fn member(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<Member>, StoreError>;

    /// Every member's access, for realtime delivery (who sees which seqs).
    async fn audience(&self, conversation: ConversationId) -> Result<Vec<Access>, StoreError>;

    /// Records a request to join. `Conflict(JoinRequestPending)` when one is pending.
    async fn request_join(
        &self,
        conversation: ConversationId,
        user: UserId,
        at: Timestamp,
    ) -> Result<JoinRequest, StoreError>;

    /// Pending join requests, oldest first.
    async fn join_requests(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<JoinRequest>, StoreError>;

    /// Drops a pending join request; returns whether there was one.
    async fn deny_join_request(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<bool, StoreError>;
}
