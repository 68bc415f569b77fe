//! Conversations, membership and read markers.

use hearth_domain::{
    Access, Conversation, ConversationEvent, ConversationId, ConversationKind, ConversationSummary,
    MemberMarker, Seq, Settings, Timestamp, UserId,
};

use crate::StoreError;

/// A conversation and where one user stands in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The conversation.
    pub conversation: Conversation,
    /// The user's membership (`None`: not a member).
    pub member: Option<Access>,
}

/// A group, room or channel to create.
#[derive(Clone, Debug)]
pub struct NewConversation {
    /// Its id.
    pub id: ConversationId,
    /// Its kind (not `Direct`: those are made by [`ConversationStore::get_or_create_direct`]).
    pub kind: ConversationKind,
    /// Its settings; a public kind's title must be unique (case-insensitively).
    pub settings: Settings,
    /// The creator, who becomes the owner.
    pub created_by: UserId,
    /// The other first members (ordinary members with the kind's default permissions).
    pub members: Vec<UserId>,
    /// When.
    pub at: Timestamp,
}

/// A public conversation as discovery lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovered {
    /// The conversation.
    pub conversation: Conversation,
    /// Whether the viewer is a member.
    pub joined: bool,
}

/// A page of discovery: public conversations whose name contains `query`, by name.
#[derive(Clone, Debug)]
pub struct Discovery {
    /// Who looks (to say which they joined).
    pub viewer: UserId,
    /// Text the name must contain, case-insensitively (`None`: every name).
    pub query: Option<String>,
    /// Continue after this name key (the last page's last, lower-cased).
    pub after: Option<String>,
    /// Most results.
    pub limit: u32,
}

/// The result of get-or-create of a direct conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectConversation {
    /// The conversation.
    pub id: ConversationId,
    /// Whether this call created it.
    pub created: bool,
}

/// Storage of conversations and members.
#[async_trait::async_trait]
pub trait ConversationStore: Send + Sync {
    /// The direct conversation of the two users, created (with its `conversation_created`
    /// event at seq 1) if there is none. There is exactly one per pair, even under concurrent
    /// calls. `a` is recorded as the creator.
    async fn get_or_create_direct(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> Result<DirectConversation, StoreError>;

    /// The conversation and where `user` stands in it (`None`: no such conversation, or it
    /// was deleted).
    async fn standing(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<Standing>, StoreError>;

    /// Creates a group, room or channel with its members, logging `conversation_created` at
    /// seq 1 (returned). `Conflict(RoomNameTaken)` when a public name is taken; `NotFound(User)`
    /// when a member does not exist.
    async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<ConversationEvent, StoreError>;

    /// Replaces the settings, logging `conversation_updated`. A change of history
    /// visibility applies to every member at once. `Conflict(RoomNameTaken)` when a public name is
    /// taken.
    async fn update_settings(
        &self,
        conversation: ConversationId,
        actor: UserId,
        settings: Settings,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError>;

    /// Deletes the conversation for everyone: logs `conversation_deleted`, then removes every
    /// member and join request, blanks its messages and frees its public name. Returns the
    /// event.
    async fn delete_conversation(
        &self,
        conversation: ConversationId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<ConversationEvent, StoreError>;

    /// Public rooms and channels (not deleted), by name.
    async fn discover(&self, discovery: Discovery) -> Result<Vec<Discovered>, StoreError>;

    /// The viewer's conversations, most recently active first (members listed up to
    /// [`ConversationSummary::MEMBER_LIST_LIMIT`]; the last message only if the viewer sees
    /// it).
    async fn conversation_summaries(
        &self,
        viewer: UserId,
    ) -> Result<Vec<ConversationSummary>, StoreError>;

    /// One conversation as the viewer sees it (`None` if it does not exist or they are not in
    /// it).
    async fn conversation_summary(
        &self,
        conversation: ConversationId,
        viewer: UserId,
    ) -> Result<Option<ConversationSummary>, StoreError>;

    /// Moves the member's read marker forward to `seq` (clamped to the conversation's last
    /// seq; never backwards), and the delivered marker with it (what was read was delivered).
    /// Returns the read marker and the unread count after the move.
    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<(Seq, i64), StoreError>;

    /// Moves the member's delivered marker forward to `seq` (clamped to the conversation's
    /// last seq; never backwards). Returns the marker after the move.
    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        user: UserId,
        seq: Seq,
    ) -> Result<Seq, StoreError>;

    /// Every member's markers (empty for an unknown conversation).
    async fn member_markers(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<MemberMarker>, StoreError>;
}
