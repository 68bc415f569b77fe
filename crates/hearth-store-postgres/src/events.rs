//! Events that are not about a message — creation, membership, settings, deletion — logged
//! with a JSON payload that holds everything needed to rebuild them.
//!
//! [`log_event`] writes one and returns it; [`decode`] rebuilds it from the log row. Both go
//! through the same serde structs, so an event read back by `events_after` equals the one its
//! write returned. Events about a message carry the message as it is now and are logged by
//! `changes::MessageEvent` instead.

use deadpool_postgres::Transaction;
use hearth_domain::{
    ConversationEvent, ConversationId, ConversationKind, Description, Emoji, EventKind,
    HistoryVisibility, Permissions, Role, Seq, Settings, Timestamp, Title, UserId,
};
use hearth_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::db::{at_micros, exec};
use crate::error::{Failure, unreadable};

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
pub(crate) fn parse_role(name: &str) -> Result<Role, StoreError> {
    Role::parse(name).ok_or_else(|| unreadable("role", name))
}

/// Reads a stored conversation kind.
pub(crate) fn parse_kind(name: &str) -> Result<ConversationKind, StoreError> {
    ConversationKind::parse(name).ok_or_else(|| unreadable("conversation kind", name))
}

/// Reads a stored history visibility.
pub(crate) fn parse_visibility(name: &str) -> Result<HistoryVisibility, StoreError> {
    HistoryVisibility::parse(name).ok_or_else(|| unreadable("history visibility", name))
}

fn json<T: Serialize>(value: &T) -> Result<Option<String>, StoreError> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(StoreError::backend)
}

/// The payload stored for `kind`.
fn payload_of(kind: &EventKind) -> Result<Option<String>, StoreError> {
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
pub(crate) fn decode(kind: &str, payload: Option<&str>) -> Result<Option<EventKind>, StoreError> {
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

/// An event that is not about a message, about to be logged at the seq taken for it.
pub(crate) struct Logged {
    /// The conversation.
    pub(crate) conversation: ConversationId,
    /// The seq taken for it (see `messages::take_seq`).
    pub(crate) seq: Seq,
    /// Who caused it.
    pub(crate) actor: UserId,
    /// When.
    pub(crate) at: Timestamp,
}

impl Logged {
    /// Logs `kind` and returns the event exactly as `events_after` will read it back.
    pub(crate) async fn log(
        self,
        tx: &Transaction<'_>,
        kind: EventKind,
    ) -> Result<ConversationEvent, Failure> {
        let payload = payload_of(&kind)?;
        let at = at_micros(self.at);
        exec(
            tx,
            "INSERT INTO conversation_events (conversation_id, seq, kind, actor_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &self.conversation.as_uuid(),
                &self.seq,
                &kind.type_name(),
                &self.actor.as_uuid(),
                &payload,
                &at,
            ],
        )
        .await?;
        Ok(ConversationEvent {
            conversation_id: self.conversation,
            seq: self.seq,
            actor_id: self.actor,
            created_at: at,
            kind,
        })
    }
}

/// The payload of a reaction event: the emoji.
pub(crate) fn reaction_payload(emoji: &Emoji) -> Result<String, StoreError> {
    serde_json::to_string(&serde_json::json!({ "emoji": emoji.as_str() }))
        .map_err(StoreError::backend)
}

/// Reads the emoji back from a reaction event's payload.
pub(crate) fn emoji_of(payload: Option<&str>) -> Result<Emoji, StoreError> {
    #[derive(serde::Deserialize)]
    struct Payload {
        emoji: String,
    }
    let payload = payload.ok_or_else(|| unreadable("reaction payload", "NULL"))?;
    serde_json::from_str::<Payload>(payload)
        .map(|p| Emoji::from_trusted(p.emoji))
        .map_err(StoreError::backend)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let back =
                decode(kind.type_name(), payload.as_deref()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, Some(kind));
        }
    }
}
