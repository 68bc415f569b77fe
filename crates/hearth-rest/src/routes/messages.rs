//! `/v1/conversations/{id}/messages`: history and the idempotent send (seed 000).

use axum::extract::State;
use axum::response::Response;
use hearth_app::SendInput;
use hearth_proto::{Envelope, ErrorEnvelope, MessageDto, MessagePage, SendMessageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath, Json, Query, int_param};
use crate::render::{created_or_ok, ok};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new().routes(routes!(list, send))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListParams {
    /// Only messages with a greater seq (default 0: from the start).
    after_seq: Option<String>,
    /// 1–100, default 50.
    limit: Option<String>,
}

/// Messages after `after_seq`, oldest first.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ListParams),
    responses(
        (status = 200, description = "A page of messages", body = Envelope<MessagePage>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Invalid after_seq or limit", body = ErrorEnvelope),
    ))]
async fn list(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let after_seq = int_param("after_seq", params.after_seq.as_deref())?;
    let limit = int_param("limit", params.limit.as_deref())?;
    let page = state
        .app
        .messages
        .list(caller, id, after_seq, limit)
        .await?;
    Ok(ok(MessagePage {
        messages: page
            .messages
            .iter()
            .map(|m| MessageDto::with_markers(m, &page.markers))
            .collect(),
        has_more: page.has_more,
    }))
}

/// Send a message. Idempotent on `client_message_id`: a retry returns the original message
/// (200) instead of a second one (201); the same key with other content is 409. Answers only
/// after the message is durably stored.
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "messages", request_body = SendMessageRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 201, description = "Stored", body = Envelope<MessageDto>),
        (status = 200, description = "Replay of an earlier send", body = Envelope<MessageDto>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 409, description = "Key reused with other content", body = ErrorEnvelope),
        (status = 422, description = "Invalid content or key", body = ErrorEnvelope),
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
    };
    let sent = state.app.messages.send(caller, id, input).await?;
    Ok(created_or_ok(sent.created, MessageDto::from(&sent.message)))
}
