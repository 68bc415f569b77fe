//! Conversations and their members: four kinds on one model.
//!
//! A direct conversation is two people; a group is private (members are added, or ask to
//! join); a public room is discoverable by its unique name and open to anyone who joins; a
//! channel is a public room where only admins post. Every kind shares the same log, members,
//! roles and permissions — the kind only changes which rules apply (see `permissions`).

use serde::{Deserialize, Serialize};

use crate::{ConversationId, Message, Permissions, Seq, Timestamp, User, UserId, ValidationErrors};

/// What kind of conversation this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConversationKind {
    /// Exactly two people; at most one per pair.
    Direct,
    /// A private conversation of several people.
    Group,
    /// A public room: discoverable by name, anyone may join.
    Room,
    /// A public channel: anyone may join and read, only admins post.
    Channel,
}

impl ConversationKind {
    /// Every kind, for tables and tests.
    pub const ALL: [Self; 4] = [Self::Direct, Self::Group, Self::Room, Self::Channel];

    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Room => "room",
            Self::Channel => "channel",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether it is listed in discovery and has a unique public name.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Room | Self::Channel)
    }

    /// What an ordinary member may do when they join, before anyone adjusts it: post, except
    /// in a channel.
    pub fn member_defaults(self) -> Permissions {
        match self {
            Self::Channel => Permissions::NONE,
            Self::Direct | Self::Group | Self::Room => Permissions::SEND,
        }
    }
}

/// A member's role in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Holds every permission; alone transfers ownership or deletes the conversation.
    Owner,
    /// Holds every permission; manages members, but not other admins or the owner.
    Admin,
    /// An ordinary participant with the permissions given to them.
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

    /// Whether the role holds every permission (seed 001's `is_admin`).
    pub fn is_admin(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

/// How much of the history before their join a member sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HistoryVisibility {
    /// Everything, from the first event.
    #[default]
    All,
    /// From the member's first join on.
    MemberJoinDate,
    /// From the member's latest join on: leaving and rejoining starts again.
    None,
}

impl HistoryVisibility {
    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::MemberJoinDate => "member_join_date",
            Self::None => "none",
        }
    }

    /// Parses the stable name (the GraphQL enum's upper-case spelling too).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "all" => Some(Self::All),
            "member_join_date" => Some(Self::MemberJoinDate),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    /// The first seq a member sees, given the seq of their first join and of their latest.
    /// Everything before it is hidden from them on every read path.
    pub fn visible_from(self, first_joined_seq: Seq, joined_seq: Seq) -> Seq {
        match self {
            Self::All => 0,
            Self::MemberJoinDate => first_joined_seq,
            Self::None => joined_seq,
        }
    }
}

/// A conversation's name: 1–100 characters for a group; 3–50 for a public room or channel
/// (seed 003), whose names are also unique, case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    /// The shortest and longest title, in characters, of a conversation of `kind`.
    pub fn lengths(kind: ConversationKind) -> (usize, usize) {
        if kind.is_public() { (3, 50) } else { (1, 100) }
    }

    /// Validates a title for a conversation of `kind` (surrounding whitespace is dropped).
    pub fn parse(kind: ConversationKind, raw: &str) -> Result<Self, ValidationErrors> {
        let title = raw.trim();
        let (min, max) = Self::lengths(kind);
        let len = title.chars().count();
        if len < min || len > max {
            return Err(ValidationErrors::field(
                "title",
                format!("must be {min}–{max} characters long"),
            ));
        }
        if title.chars().any(char::is_control) {
            return Err(ValidationErrors::field(
                "title",
                "must not contain control characters",
            ));
        }
        Ok(Self(title.to_owned()))
    }

    /// Wraps a title read back from storage.
    pub fn from_trusted(title: String) -> Self {
        Self(title)
    }

    /// The title.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes public names unique: case-folded.
    pub fn unique_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// What a conversation is about: up to 500 characters, possibly empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    /// Longest allowed description, in characters.
    pub const MAX_LEN: usize = 500;

    /// Validates a description given by a client (surrounding whitespace is dropped).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let text = raw.trim();
        if text.chars().count() > Self::MAX_LEN {
            return Err(ValidationErrors::field(
                "description",
                format!("must be at most {} characters long", Self::MAX_LEN),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// Wraps a description read back from storage.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The description.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The settings of a conversation (seed 001's `GroupSettingsInput`, with the title).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The name (`None` for a direct conversation).
    pub title: Option<Title>,
    /// What it is about.
    pub description: Description,
    /// Whether joining takes a join request that a manager approves.
    pub require_approval: bool,
    /// How much history a member sees from before their join.
    pub history_visibility: HistoryVisibility,
}

/// A conversation's own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    /// The conversation's id.
    pub id: ConversationId,
    /// Its kind.
    pub kind: ConversationKind,
    /// Its settings.
    pub settings: Settings,
    /// Who created it.
    pub created_by: UserId,
    /// When it was created.
    pub created_at: Timestamp,
    /// How many members it has now.
    pub member_count: i64,
}

/// What one member may do and see in a conversation, as the rules need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// The member.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// The permissions given to them (owners and admins hold every one whatever this says:
    /// see [`Access::effective`]).
    pub permissions: Permissions,
    /// The first seq they see (history visibility, applied at their join).
    pub history_from: Seq,
}

impl Access {
    /// What the member may actually do: everything for owners and admins.
    pub fn effective(&self) -> Permissions {
        if self.role.is_admin() {
            Permissions::ALL
        } else {
            self.permissions
        }
    }

    /// Whether the member sees the event or message numbered `seq`.
    pub fn sees(&self, seq: Seq) -> bool {
        seq >= self.history_from
    }
}

/// One person's membership in a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member.
    pub user: User,
    /// Their role.
    pub role: Role,
    /// The permissions given to them (owners and admins hold all).
    pub permissions: Permissions,
    /// When they joined.
    pub joined_at: Timestamp,
    /// The seq of their (latest) join.
    pub joined_seq: Seq,
    /// The last seq they have read (0: nothing).
    pub last_read_seq: Seq,
    /// The last seq that reached one of their devices (never below `last_read_seq`).
    pub last_delivered_seq: Seq,
}

impl Member {
    /// What the member may actually do: everything for owners and admins.
    pub fn effective(&self) -> Permissions {
        if self.role.is_admin() {
            Permissions::ALL
        } else {
            self.permissions
        }
    }
}

/// A conversation as one member sees it in their list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// The viewer's own standing in it.
    pub me: Access,
    /// Everyone in it, or `None` when it has more members than a summary lists (see
    /// [`ConversationSummary::MEMBER_LIST_LIMIT`]; page them with the members list).
    pub members: Option<Vec<Member>>,
    /// The seq of its latest event (0 if none).
    pub last_seq: Seq,
    /// The latest message the viewer may see, if any.
    pub last_message: Option<Message>,
    /// The conversation list's line for it, as kept beside the conversation (its text's
    /// start, or its first file's name when its caption is empty; see [`crate::preview_of_sent`]);
    /// `None` when there is no such message or it was deleted.
    pub last_message_preview: Option<String>,
    /// The viewer's read marker.
    pub last_read_seq: Seq,
    /// Messages from others after the viewer's read marker.
    pub unread_count: i64,
    /// When the conversation last changed.
    pub updated_at: Timestamp,
}

impl ConversationSummary {
    /// Most members a summary lists inline; bigger conversations give only the count.
    pub const MEMBER_LIST_LIMIT: i64 = 100;

    /// Whether `user` is a member (as far as the listed members tell).
    pub fn has_member(&self, user: UserId) -> bool {
        self.me.user_id == user || self.members.iter().flatten().any(|m| m.user.id == user)
    }

    /// The listed members' markers, for delivery status (none for a conversation too big to
    /// list, whose messages then show `sent`).
    pub fn markers(&self) -> Vec<crate::MemberMarker> {
        self.members
            .iter()
            .flatten()
            .map(|m| crate::MemberMarker {
                user_id: m.user.id,
                last_delivered_seq: m.last_delivered_seq,
                last_read_seq: m.last_read_seq,
                joined_seq: m.joined_seq,
            })
            .collect()
    }
}
