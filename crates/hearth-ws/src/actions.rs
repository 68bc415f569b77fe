//! The client's actions: parsing with errors that name what is wrong, and answering each by
//! calling its use case.

use hearth_app::realtime::RealtimeSession;
use hearth_app::{PublicError, SendInput};
use hearth_domain::ConversationId;
use hearth_proto::ws::{
    AuthAction, ConversationAction, MarkAction, SendMessageAction, ServerEvent, SocketMessage,
    SyncAction,
};
use hearth_proto::{ChangeEvent, ErrorCode, MessageDto};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::WsState;
use crate::encode::user_ref;

/// One parsed action.
#[derive(Debug)]
pub(crate) enum Action {
    Auth(AuthAction),
    Subscribe(ConversationAction),
    Unsubscribe(ConversationAction),
    SendMessage(SendMessageAction),
    UserTyping(ConversationAction),
    MarkRead(MarkAction),
    MarkDelivered(MarkAction),
    Sync(SyncAction),
    Ping,
}

/// A frame as received: its `request_id` (echoed in the answer) and its action, or why it is
/// not one.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub request_id: Option<Value>,
    pub action: Result<Action, PublicError>,
}

/// Reads a text frame. Not JSON or not an object: `bad_request`; no `action`:
/// `validation_failed`; an unknown action: `bad_request`; a missing or mistyped field:
/// `validation_failed` naming it.
pub(crate) fn parse(text: &str) -> Parsed {
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(_) | Err(_) => {
            return Parsed {
                request_id: None,
                action: Err(PublicError::new(
                    ErrorCode::BadRequest,
                    "a frame must be a JSON object with an `action`",
                )),
            };
        }
    };
    let request_id = object.get("request_id").cloned();
    let action = match object.get("action") {
        Some(Value::String(name)) => action(name, object.clone()),
        Some(_) => Err(PublicError::field("action", "must be a string")),
        None => Err(PublicError::field("action", "is required")),
    };
    Parsed { request_id, action }
}

fn action(name: &str, object: Map<String, Value>) -> Result<Action, PublicError> {
    fn body<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, PublicError> {
        // The path names a mistyped field ("seq: invalid type …"), which serde alone does not.
        serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
            let path = e.path().to_string();
            PublicError::wrong_shape(&format!("{path}: {}", e.into_inner()))
        })
    }
    Ok(match name {
        "auth" => Action::Auth(body(object)?),
        "subscribe" => Action::Subscribe(body(object)?),
        "unsubscribe" => Action::Unsubscribe(body(object)?),
        "send_message" => Action::SendMessage(body(object)?),
        "user_typing" => Action::UserTyping(body(object)?),
        "mark_read" => Action::MarkRead(body(object)?),
        "mark_delivered" => Action::MarkDelivered(body(object)?),
        "sync" => Action::Sync(body(object)?),
        "ping" => Action::Ping,
        other => {
            return Err(PublicError::new(
                ErrorCode::BadRequest,
                format!("unknown action `{other}`"),
            ));
        }
    })
}

/// A conversation id given in an action. Malformed, it names no conversation: `not_found`, as
/// a malformed id in a REST path.
fn conversation(raw: &str) -> Result<ConversationId, PublicError> {
    raw.trim()
        .parse()
        .map_err(|_| PublicError::new(ErrorCode::NotFound, "conversation not found"))
}

/// One authenticated connection's view of its actions.
#[derive(Debug)]
pub(crate) struct Actions {
    pub state: WsState,
    pub session: RealtimeSession,
}

impl Actions {
    /// Runs an action; returns its direct answer, if it has one.
    pub(crate) async fn run(&mut self, action: Action) -> Result<Option<ServerEvent>, PublicError> {
        let app = &self.state.app;
        let caller = self.session.caller;
        match action {
            Action::Auth(AuthAction { token }) => {
                let renewed = app.realtime.reauthenticate(&mut self.session, &token)?;
                Ok(Some(ServerEvent::Authenticated {
                    user_id: renewed.user_id.as_uuid(),
                    expires_at: renewed.expires_at,
                }))
            }
            Action::Subscribe(ConversationAction { conversation_id }) => {
                let id = conversation(&conversation_id)?;
                let viewers = app.realtime.subscribe(&self.session, id).await?;
                Ok(Some(ServerEvent::Subscribed {
                    conversation_id: id.as_uuid(),
                    online_users: viewers.iter().map(user_ref).collect(),
                }))
            }
            Action::Unsubscribe(ConversationAction { conversation_id }) => {
                let id = conversation(&conversation_id)?;
                app.realtime.unsubscribe(&self.session, id).await;
                Ok(Some(ServerEvent::Unsubscribed {
                    conversation_id: id.as_uuid(),
                }))
            }
            Action::SendMessage(SendMessageAction {
                conversation_id,
                client_message_id,
                content,
                attachments,
            }) => {
                let id = conversation(&conversation_id)?;
                // A stock seed-003 client sends no key: one is made, so the send is stored
                // once, but a retry of it would be a second message.
                let client_message_id =
                    client_message_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
                let input = SendInput {
                    client_message_id: client_message_id.clone(),
                    content,
                    attachments: hearth_app::parse_media_ids(&attachments)?,
                };
                let sent = app.messages.send(caller, id, input).await?;
                Ok(Some(ServerEvent::MessageAck {
                    client_message_id,
                    message: Box::new(SocketMessage {
                        username: Some(self.session.user.username.clone()),
                        ..MessageDto::from(&sent.message).into()
                    }),
                }))
            }
            Action::UserTyping(ConversationAction { conversation_id }) => {
                let id = conversation(&conversation_id)?;
                app.realtime.typing(&self.session, id).await?;
                Ok(None)
            }
            Action::MarkRead(MarkAction {
                conversation_id,
                seq,
            }) => {
                let id = conversation(&conversation_id)?;
                app.conversations.mark_read(caller, id, seq).await?;
                Ok(None)
            }
            Action::MarkDelivered(MarkAction {
                conversation_id,
                seq,
            }) => {
                let id = conversation(&conversation_id)?;
                app.conversations.mark_delivered(caller, id, seq).await?;
                Ok(None)
            }
            Action::Sync(SyncAction {
                conversation_id,
                after_seq,
                limit,
            }) => {
                let id = conversation(&conversation_id)?;
                let batch = app
                    .sync
                    .conversation_changes(caller, id, after_seq, limit)
                    .await?;
                Ok(Some(ServerEvent::SyncBatch {
                    conversation_id: id.as_uuid(),
                    events: batch
                        .events
                        .iter()
                        .map(|e| ChangeEvent::seen_by(e, caller.user_id, &batch.markers))
                        .collect(),
                    has_more: batch.has_more,
                    history_from: batch.history_from,
                }))
            }
            Action::Ping => Ok(Some(ServerEvent::Pong)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<ErrorCode> {
        parse(text).action.err().map(|e| e.code)
    }

    #[test]
    fn malformed_frames_name_what_is_wrong() {
        assert_eq!(code("not json"), Some(ErrorCode::BadRequest));
        assert_eq!(code("[1,2]"), Some(ErrorCode::BadRequest));
        assert_eq!(
            code(r#"{"no":"action"}"#),
            Some(ErrorCode::ValidationFailed)
        );
        assert_eq!(code(r#"{"action":"fly"}"#), Some(ErrorCode::BadRequest));
        assert_eq!(
            code(r#"{"action":"subscribe"}"#),
            Some(ErrorCode::ValidationFailed)
        );
        assert_eq!(
            code(r#"{"action":"mark_read","conversation_id":"x","seq":"one"}"#),
            Some(ErrorCode::ValidationFailed)
        );
    }

    #[test]
    fn request_ids_are_kept_even_for_bad_actions() {
        let parsed = parse(r#"{"action":"fly","request_id":"r1"}"#);
        assert_eq!(parsed.request_id, Some(Value::String("r1".to_owned())));
        assert!(parsed.action.is_err());
    }

    #[test]
    fn room_id_works_for_conversation_id() {
        let parsed = parse(r#"{"action":"subscribe","room_id":"abc"}"#);
        assert!(
            matches!(parsed.action, Ok(Action::Subscribe(ConversationAction { conversation_id })) if conversation_id == "abc")
        );
    }
}
