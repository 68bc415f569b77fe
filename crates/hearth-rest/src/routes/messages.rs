//! `/v1/conversations/{id}/messages`: history and the idempotent send (seed 000).

use axum::extract::State;
use axum::response::Response;
use hearth_app::{HistoryQuery, SendInput, SendOptions};
use hearth_domain::MessageId;
use hearth_proto::{Envelope, ErrorEnvelope, MessageDto, MessagePage, SendMessageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath, Query, int_param};
use crate::json::Json;
use crate::render::{created_or_ok, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new().routes(routes!(list, send))
}

/// Which part of the history to read (also used by threads).
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ListParams {
    /// Only messages with a greater seq (default 0: from the start).
    #[param(value_type = Option<i64>)]
    after_seq: Option<String>,
    /// Only messages with a smaller seq. Without `after_seq`: the page just before it, for
    /// paging back from the latest (`has_more`: older ones exist).
    #[param(value_type = Option<i64>)]
    before_seq: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

impl ListParams {
    /// The query for the use case; a non-integer is 422 naming the parameter.
    pub(crate) fn history(&self) -> Result<HistoryQuery, ApiError> {
        Ok(HistoryQuery {
            after_seq: int_param("after_seq", self.after_seq.as_deref())?,
            before_seq: int_param("before_seq", self.before_seq.as_deref())?,
            limit: int_param("limit", self.limit.as_deref())?,
        })
    }
}

/// A page of messages, oldest first: after `after_seq` (default), or just before
/// `before_seq`, or between the two. Tombstones of deleted messages keep their place.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages", operation_id = "list_messages", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ListParams),
    responses(
        (status = 200, description = "A page of messages", body = Envelope<MessagePage>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Invalid after_seq, before_seq or limit", body = ErrorEnvelope),
    ))]
async fn list(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .messages
        .page(caller, id, params.history()?)
        .await?;
    Ok(ok(MessagePage {
        messages: page
            .messages
            .iter()
            .map(|m| MessageDto::seen_by(m, caller.user_id, &page.markers))
            .collect(),
        has_more: page.has_more,
    }))
}

/// Send a message. Idempotent on `client_message_id`: a retry returns the original message
/// (200) instead of a second one (201); the same key with other content is 409. Answers only
/// after the message is durably stored. `reply_to` makes it a reply (joining that message's
/// thread); `@username` of a member lands in `mentions`.
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "messages", request_body = SendMessageRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 201, description = "Stored", body = Envelope<MessageDto>),
        (status = 200, description = "Replay of an earlier send", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation, or an attachment that is not one of the caller's uploads", body = ErrorEnvelope),
        (status = 409, description = "Key reused with other content or files", body = ErrorEnvelope),
        (status = 422, description = "Invalid content, key, reply_to or attachments (more than 10, one twice, an upload not confirmed)", body = ErrorEnvelope),
        (status = 429, description = "Sending too fast", body = ErrorEnvelope),
    ))]
async fn send(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Json(body): Json<SendMessageRequest>,
) -> Result<Response, ApiError> {
    let input = SendInput {
        client_message_id: body.client_message_id,
        content: body.content,
        attachments: body
            .attachments
            .into_iter()
            .map(hearth_domain::MediaId::from_uuid)
            .collect(),
    };
    let options = SendOptions {
        reply_to: body.reply_to.map(MessageId::from_uuid),
    };
    let sent = state
        .app
        .messages
        .send_with(caller, id, input, options)
        .await?;
    Ok(created_or_ok(
        sent.created,
        MessageDto::for_viewer(&sent.message, caller.user_id),
    ))
}
