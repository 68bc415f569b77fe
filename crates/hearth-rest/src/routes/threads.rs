//! `/v1/conversations/{id}/messages/{message_id}/thread`: a thread's replies, paged.

use axum::extract::State;
use axum::response::Response;
use hearth_proto::{Envelope, ErrorEnvelope, MessageDto, ThreadPage};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, MessagePath, Query};
use crate::render::ok;
use crate::routes::messages::ListParams;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new().routes(routes!(thread))
}

/// The thread that a message starts or belongs to: its root and a page of its replies,
/// oldest first, paged like history (`after_seq`, `before_seq`, `limit`).
#[utoipa::path(get, path = "/v1/conversations/{id}/messages/{message_id}/thread", tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"),
           ("message_id" = String, Path, description = "The root or any reply of the thread"),
           ListParams),
    responses(
        (status = 200, description = "The root and a page of replies", body = Envelope<ThreadPage>),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation or message", body = ErrorEnvelope),
        (status = 422, description = "Invalid after_seq, before_seq or limit", body = ErrorEnvelope),
    ))]
async fn thread(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MessagePath(conversation, message): MessagePath,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .messages
        .thread(caller, conversation, message, params.history()?)
        .await?;
    let view = |m| MessageDto::for_viewer(m, caller.user_id);
    Ok(ok(ThreadPage {
        root: view(&page.root),
        messages: page.messages.iter().map(view).collect(),
        has_more: page.has_more,
    }))
}
