//! What every adapter stores the same way, and reads back the same way: the JSON payloads of
//! log events, the digest that tells a retried send from a reused key, stored names (roles,
//! kinds, visibilities) read back, and matches marked in a search snippet.
//!
//! Adapters keep these as plain text and bytes in their own tables; sharing the encoding here
//! means a row copied from one backend to another (`migrate-store`) reads back identically,
//! and a rule about it cannot differ between backends. Nothing here knows SQL.

use hearth_domain::{
    ConversationKind, Description, Emoji, EventKind, HistoryVisibility, Message, Permissions, Role,
    Settings, SnippetPart, Title, UserId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{NewMessage, StoreError};

/// A stored value this version cannot read back (an unknown kind, role or payload): the
/// database was written by something else, or damaged. Reported as a backend failure, never as
/// a missing row.
#[derive(Debug, thiserror::Error)]
#[error("stored {what} cannot be read: {value:?}")]
pub struct Unreadable {
    /// What the value is (a column or a payload).
    pub what: &'static str,
    /// The value as stored.
    pub value: String,
}

/// The [`StoreError`] for a stored `value` of `what` that cannot be read back.
pub fn unreadable(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::backend(Unreadable {
        what,
        value: value.into(),
    })
}

/// A kind that this module does not log: events about a message are logged with it.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` events are logged with their message")]
struct MessageEventKind(&'static str);

/// Payload of `conversation_created`.
#[derive(Serialize, Deserialize)]
struct Created {
    member_ids: Vec<UserId>,
}

/// Payload of `member_left`, `member_removed` and `ownership_transferred`.
#[derive(Serialize, Deserialize)]
struct Someone {
    user_id: UserId,
}

/// Payload of `member_joined` and `member_updated`.
#[derive(Serialize, Deserialize)]
struct Standing {
    user_id: UserId,
    /// `Role::as_str`.
    role: String,
    /// `Permissions::to_bits`.
    permissions: i64,
}

impl Standing {
    fn new(user_id: UserId, role: Role, permissions: Permissions) -> Self {
        Self {
            user_id,
            role: role.as_str().to_owned(),
            permissions: permissions.to_bits(),
        }
    }

    fn role(&self) -> Result<Role, StoreError> {
        parse_role(&self.role)
    }
}

/// Payload of `conversation_updated`: every setting as it is now.
#[derive(Serialize, Deserialize)]
struct SettingsPayload {
    title: Option<String>,
    description: String,
    require_approval: bool,
    /// `HistoryVisibility::as_str`.
    history_visibility: String,
}

/// Reads a stored role.
pub fn parse_role(name: &str) -> Result<Role, StoreError> {
    Role::parse(name).ok_or_else(|| unreadable("role", name))
}

/// Reads a stored conversation kind.
pub fn parse_kind(name: &str) -> Result<ConversationKind, StoreError> {
    ConversationKind::parse(name).ok_or_else(|| unreadable("conversation kind", name))
}

/// Reads a stored history visibility.
pub fn parse_visibility(name: &str) -> Result<HistoryVisibility, StoreError> {
    HistoryVisibility::parse(name).ok_or_else(|| unreadable("history visibility", name))
}

fn json<T: Serialize>(value: &T) -> Result<Option<String>, StoreError> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(StoreError::backend)
}

/// The payload stored for `kind`.
pub fn payload_of(kind: &EventKind) -> Result<Option<String>, StoreError> {
    match kind {
        EventKind::ConversationCreated { member_ids } => json(&Created {
            member_ids: member_ids.clone(),
        }),
        EventKind::MemberJoined {
            user_id,
            role,
            permissions,
        }
        | EventKind::MemberUpdated {
            user_id,
            role,
            permissions,
        } => json(&Standing::new(*user_id, *role, *permissions)),
        EventKind::MemberLeft { user_id }
        | EventKind::MemberRemoved { user_id }
        | EventKind::OwnershipTransferred { user_id } => json(&Someone { user_id: *user_id }),
        EventKind::SettingsChanged(settings) => json(&SettingsPayload {
            title: settings.title.as_ref().map(|t| t.as_str().to_owned()),
            description: settings.description.as_str().to_owned(),
            require_approval: settings.require_approval,
            history_visibility: settings.history_visibility.as_str().to_owned(),
        }),
        EventKind::ConversationDeleted => Ok(None),
        EventKind::NewMessage(_)
        | EventKind::MessageEdited(_)
        | EventKind::MessageDeleted(_)
        | EventKind::ReactionAdded { .. }
        | EventKind::ReactionRemoved { .. } => {
            Err(StoreError::backend(MessageEventKind(kind.type_name())))
        }
    }
}

fn parse<'a, T: Deserialize<'a>>(payload: Option<&'a str>) -> Result<T, StoreError> {
    let payload = payload.ok_or_else(|| unreadable("event payload", "NULL"))?;
    serde_json::from_str(payload).map_err(StoreError::backend)
}

/// Rebuilds an event that is not about a message from its stored kind and payload; `None`
/// for the kinds about a message.
pub fn decode_event(kind: &str, payload: Option<&str>) -> Result<Option<EventKind>, StoreError> {
    Ok(Some(match kind {
        "conversation_created" => EventKind::ConversationCreated {
            member_ids: parse::<Created>(payload)?.member_ids,
        },
        "member_joined" => {
            let standing: Standing = parse(payload)?;
            EventKind::MemberJoined {
                role: standing.role()?,
                permissions: Permissions::from_bits(standing.permissions),
                user_id: standing.user_id,
            }
        }
        "member_updated" => {
            let standing: Standing = parse(payload)?;
            EventKind::MemberUpdated {
                role: standing.role()?,
                permissions: Permissions::from_bits(standing.permissions),
                user_id: standing.user_id,
            }
        }
        "member_left" => EventKind::MemberLeft {
            user_id: parse::<Someone>(payload)?.user_id,
        },
        "member_removed" => EventKind::MemberRemoved {
            user_id: parse::<Someone>(payload)?.user_id,
        },
        "ownership_transferred" => EventKind::OwnershipTransferred {
            user_id: parse::<Someone>(payload)?.user_id,
        },
        "conversation_updated" => {
            let settings: SettingsPayload = parse(payload)?;
            EventKind::SettingsChanged(Settings {
                title: settings.title.map(Title::from_trusted),
                description: Description::from_trusted(settings.description),
                require_approval: settings.require_approval,
                history_visibility: parse_visibility(&settings.history_visibility)?,
            })
        }
        "conversation_deleted" => EventKind::ConversationDeleted,
        _ => return Ok(None),
    }))
}

/// The payload of a reaction event: the emoji.
pub fn reaction_payload(emoji: &Emoji) -> Result<String, StoreError> {
    serde_json::to_string(&serde_json::json!({ "emoji": emoji.as_str() }))
        .map_err(StoreError::backend)
}

/// Reads the emoji back from a reaction event's payload.
pub fn emoji_of(payload: Option<&str>) -> Result<Emoji, StoreError> {
    #[derive(serde::Deserialize)]
    struct Payload {
        emoji: String,
    }
    let payload = payload.ok_or_else(|| unreadable("reaction payload", "NULL"))?;
    serde_json::from_str::<Payload>(payload)
        .map(|p| Emoji::from_trusted(p.emoji))
        .map_err(StoreError::backend)
}

/// Rebuilds an event about a message from its stored kind, payload and the message as it is
/// now.
pub fn message_event(
    kind: &str,
    payload: Option<&str>,
    message: Option<Message>,
) -> Result<EventKind, StoreError> {
    let message = message.ok_or_else(|| unreadable("message of event", kind))?;
    Ok(match kind {
        "new_message" => EventKind::NewMessage(message),
        "message_updated" => EventKind::MessageEdited(message),
        "message_deleted" => EventKind::MessageDeleted(message),
        "reaction_added" => EventKind::ReactionAdded {
            message,
            emoji: emoji_of(payload)?,
        },
        "reaction_removed" => EventKind::ReactionRemoved {
            message,
            emoji: emoji_of(payload)?,
        },
        _ => return Err(unreadable("event kind", kind)),
    })
}

/// The SHA-256 of a message's text, kept once the text itself is replaced by an edit or a
/// deletion (`sent_digest`).
pub fn digest(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// What an earlier send with the same idempotency key stored, to tell a retry from a clash.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Its conversation.
    pub conversation_id: Uuid,
    /// The message it answered.
    pub reply_to: Option<Uuid>,
    /// Its text now.
    pub content: String,
    /// The digest of its text as first sent, once an edit or deletion replaced it.
    pub sent_digest: Option<Vec<u8>>,
}

impl Sent {
    /// Whether `new` is a retry of this send: same conversation, text as first sent, reply.
    pub fn is_retry_of(&self, new: &NewMessage) -> bool {
        let same_text = match &self.sent_digest {
            Some(sent) => *sent == digest(new.content.as_str()),
            None => self.content == new.content.as_str(),
        };
        self.conversation_id == new.conversation_id.as_uuid()
            && self.reply_to == new.reply_to.map(|r| r.as_uuid())
            && same_text
    }
}

/// Whether `original`, the message an earlier send with the same key stored, carries the
/// files `new` asks for, in the same order. A tombstone carries none any more, so its retry
/// is judged by the rest alone.
pub fn same_attachments(original: &Message, new: &NewMessage) -> bool {
    original.is_deleted()
        || original
            .attachments
            .iter()
            .map(|m| m.id)
            .eq(new.attachments.iter().map(|m| m.id))
}

/// Escapes LIKE's wildcards so a query matches literally (with `ESCAPE '\'`).
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Marks the start of a match in a snippet the search engine marked (a private-use
/// character, which no message needs).
pub const SNIPPET_OPEN: char = '\u{E000}';
/// Marks the end of a match.
pub const SNIPPET_CLOSE: char = '\u{E001}';

/// Splits a snippet marked with [`SNIPPET_OPEN`] and [`SNIPPET_CLOSE`] into plain and
/// highlighted parts.
pub fn snippet_parts(marked: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut highlight = false;
    let mut text = String::new();
    let mut flush = |text: &mut String, highlight: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: std::mem::take(text),
                highlight,
            });
        }
    };
    for c in marked.chars() {
        match c {
            SNIPPET_OPEN => {
                flush(&mut text, highlight);
                highlight = true;
            }
            SNIPPET_CLOSE => {
                flush(&mut text, highlight);
                highlight = false;
            }
            c => text.push(c),
        }
    }
    flush(&mut text, highlight);
    parts
}

/// The columns of a media record, in the order every adapter selects them.
pub const MEDIA_COLUMNS: &str = "id, owner_id, status, file_name, declared_size, size, \
     content_type, storage_key, created_at, expires_at, confirmed_at, thumbnails";

/// The content types the thumbnail worker reads (the image kinds), as an SQL list.
pub const THUMBNAILED_TYPES_SQL: &str = "('image/jpeg', 'image/png', 'image/gif', 'image/webp')";

/// Thumbnails as stored: a JSON list (`NULL`: not made yet).
pub fn stored_thumbnails(thumbnails: &[hearth_domain::Thumbnail]) -> Result<String, StoreError> {
    serde_json::to_string(thumbnails).map_err(StoreError::backend)
}

/// Thumbnails read back (see [`stored_thumbnails`]).
pub fn thumbnails_from(
    stored: Option<String>,
) -> Result<Option<Vec<hearth_domain::Thumbnail>>, StoreError> {
    stored
        .map(|json| serde_json::from_str(&json).map_err(|_| unreadable("thumbnails", json)))
        .transpose()
}

/// A file size as stored (a signed 64-bit integer: sizes fit it by far, uploads are limited).
pub fn stored_size(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// A stored file size read back.
pub fn size_from(stored: Option<i64>) -> Result<Option<u64>, StoreError> {
    stored
        .map(|size| u64::try_from(size).map_err(|_| unreadable("media size", size.to_string())))
        .transpose()
}

/// A stored media status read back.
pub fn media_status(stored: String) -> Result<hearth_domain::MediaStatus, StoreError> {
    hearth_domain::MediaStatus::parse(&stored).ok_or_else(|| unreadable("media status", stored))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn the_thumbnail_workers_types_are_the_image_kinds() {
        let listed = hearth_domain::MediaKind::SAFE_IMAGE_TYPES
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(THUMBNAILED_TYPES_SQL, format!("({listed})"));
    }

    #[test]
    fn snippets_split_at_the_markers() {
        let parts = snippet_parts("…we \u{E000}ran\u{E001} far\u{E000}\u{E001}");
        let parts: Vec<(&str, bool)> = parts
            .iter()
            .map(|p| (p.text.as_str(), p.highlight))
            .collect();
        assert_eq!(parts, [("…we ", false), ("ran", true), (" far", false)]);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn every_payload_round_trips() {
        let user_id = UserId::new();
        let kinds = [
            EventKind::ConversationCreated {
                member_ids: vec![user_id, UserId::new()],
            },
            EventKind::MemberJoined {
                user_id,
                role: Role::Member,
                permissions: Permissions::SEND,
            },
            EventKind::MemberUpdated {
                user_id,
                role: Role::Admin,
                permissions: Permissions::ALL,
            },
            EventKind::MemberLeft { user_id },
            EventKind::MemberRemoved { user_id },
            EventKind::OwnershipTransferred { user_id },
            EventKind::SettingsChanged(Settings {
                title: Some(Title::from_trusted("Rust".to_owned())),
                description: Description::from_trusted("about".to_owned()),
                require_approval: true,
                history_visibility: HistoryVisibility::MemberJoinDate,
            }),
            EventKind::SettingsChanged(Settings::default()),
            EventKind::ConversationDeleted,
        ];
        for kind in kinds {
            let payload = payload_of(&kind).unwrap_or_else(|e| panic!("{e}"));
            let back = decode_event(kind.type_name(), payload.as_deref())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, Some(kind));
        }
    }
}
