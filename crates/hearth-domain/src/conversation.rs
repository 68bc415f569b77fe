//! Conversations and their members.

use crate::{ConversationId, Message, Seq, Timestamp, User, UserId};

/// What kind of conversation this is. The foundation has direct conversations; groups, public
/// rooms and channels are variants of the same model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationKind {
    /// Exactly two people; at most one per pair.
    Direct,
}

impl ConversationKind {
    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "direct" => Some(Self::Direct),
            _ => None,
        }
    }
}

/// A member's role in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Holds every permission.
    Owner,
    /// Holds every permission but ownership.
    Admin,
    /// An ordinary participant.
    Member,
}

impl Role {
    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// A conversation's own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    /// The conversation's id.
    pub id: ConversationId,
    /// Its kind.
    pub kind: ConversationKind,
    /// When it was created.
    pub created_at: Timestamp,
}

/// One person's membership in a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member.
    pub user: User,
    /// Their role.
    pub role: Role,
    /// When they joined.
    pub joined_at: Timestamp,
    /// The last seq they have read (0: nothing).
    pub last_read_seq: Seq,
    /// The last seq that reached one of their devices (never below `last_read_seq`).
    pub last_delivered_seq: Seq,
}

/// A conversation as one member sees it in their list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// Everyone in it.
    pub members: Vec<Member>,
    /// The seq of its latest event (0 if none).
    pub last_seq: Seq,
    /// The latest message, if any.
    pub last_message: Option<Message>,
    /// The viewer's read marker.
    pub last_read_seq: Seq,
    /// Messages from others after the viewer's read marker.
    pub unread_count: i64,
    /// When the conversation last changed.
    pub updated_at: Timestamp,
}

impl ConversationSummary {
    /// Whether `user` is a member.
    pub fn has_member(&self, user: UserId) -> bool {
        self.members.iter().any(|m| m.user.id == user)
    }

    /// Every member's markers, for delivery status.
    pub fn markers(&self) -> Vec<crate::MemberMarker> {
        self.members
            .iter()
            .map(|m| crate::MemberMarker {
                user_id: m.user.id,
                last_delivered_seq: m.last_delivered_seq,
                last_read_seq: m.last_read_seq,
            })
            .collect()
    }
}
