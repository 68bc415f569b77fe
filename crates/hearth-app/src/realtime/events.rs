//! What is delivered, and to whom.

use serde::{Deserialize, Serialize};

use std::sync::Arc;
use std::time::Duration;

use hearth_domain::{
    AvatarRef, ConversationEvent, ConversationId, ReceiptKind, Seq, Timestamp, User, UserId,
};

/// A user as realtime events name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    /// Their id.
    pub id: UserId,
    /// Their username.
    pub username: String,
    /// Their display name (the username when they chose none).
    pub display_name: String,
    /// Their profile picture, if they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<AvatarRef>,
}

impl From<&User> for UserRef {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            username: user.username.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            avatar: user.avatar,
        }
    }
}

/// Something devices must hear about now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RealtimeEvent {
    /// An entry of a conversation's log (a new message, a creation, …), with its seq. Boxed:
    /// it is much larger than the ephemeral events.
    Log(Box<LogEntry>),
    /// A member's delivered or read marker moved.
    Receipt {
        /// The conversation.
        conversation_id: ConversationId,
        /// Whose marker.
        user_id: UserId,
        /// Which marker.
        kind: ReceiptKind,
        /// Where it is now.
        seq: Seq,
    },
    /// Someone started (or stopped) typing.
    Typing {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who.
        user: UserRef,
        /// `false` when they stopped or the indicator expired.
        typing: bool,
        /// How long the indicator lasts unless renewed.
        expires_in: Duration,
    },
    /// Someone came online or went offline.
    Presence {
        /// Who.
        user_id: UserId,
        /// Whether any of their devices is connected.
        online: bool,
        /// When their last connection ended (for `online == false`).
        last_seen_at: Option<Timestamp>,
    },
    /// Someone asked to join a conversation that requires approval (to its managers).
    JoinRequested {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who asks.
        user: UserRef,
        /// When.
        created_at: Timestamp,
    },
    /// Someone started or stopped viewing (subscribing to) a conversation.
    Viewer {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who.
        user: UserRef,
        /// `true`: started viewing; `false`: stopped.
        joined: bool,
    },
}

/// A log entry as it is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The entry.
    pub event: ConversationEvent,
    /// For a new message: its author, as events name them (seed 003's `username` on a
    /// message). `None` for other entries.
    pub author: Option<UserRef>,
}

/// Who hears a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every device of these users.
    Users(Arc<[UserId]>),
    /// The devices subscribed to a conversation, except those of `except`.
    Viewers {
        /// The conversation.
        conversation_id: ConversationId,
        /// Whose devices are left out (the user the event is about).
        except: Option<UserId>,
    },
}

/// One event and its audience, as published on the bus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Who hears it.
    pub audience: Audience,
    /// What they hear.
    pub event: RealtimeEvent,
}
