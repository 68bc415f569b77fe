//! Who is viewing each conversation (seed 003's "online users" of a room), across nodes.
//!
//! A user views a conversation while any of their connections, on any node, is subscribed to
//! it. The in-process directory serves one node; a shared one (Redis) serves several. This
//! port only counts; it never decides who may view (the realtime use case checks membership
//! before it records a view).

use hearth_domain::{ConversationId, UserId};

use crate::realtime::UserRef;

/// Counts views per user and conversation.
#[async_trait::async_trait]
pub trait ViewerDirectory: Send + Sync + std::fmt::Debug {
    /// A connection of `user` started viewing. `true` when it is the user's first view of the
    /// conversation (they "joined").
    async fn start_viewing(&self, conversation: ConversationId, user: &UserRef) -> bool;
    /// A connection of `user` stopped viewing. Returns the user when it was their last view
    /// (they "left"); an unknown view changes nothing.
    async fn stop_viewing(&self, conversation: ConversationId, user: UserId) -> Option<UserRef>;
    /// Everyone viewing the conversation, once each.
    async fn viewers(&self, conversation: ConversationId) -> Vec<UserRef>;
}
