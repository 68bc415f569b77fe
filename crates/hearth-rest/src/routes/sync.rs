//! `/v1/sync`: bootstrap and changes (seed 000).

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::response::Response;
use hearth_domain::{ConversationId, Seq};
use hearth_proto::{
    Bootstrap, ChangeEvent, Changes, ConversationChanges, ConversationDto, Envelope, ErrorEnvelope,
    MessageDto, UserDto,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Query, int_param};
use crate::json;
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(bootstrap))
        .routes(routes!(changes))
}

/// Everything a fresh client needs: me, conversations (each with `last_seq`, the cursor to
/// continue from) and the latest messages of each.
#[utoipa::path(get, path = "/v1/sync/bootstrap", tag = "sync", security(("bearer" = [])),
    responses(
        (status = 200, description = "The first screen's data", body = Envelope<Bootstrap>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn bootstrap(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let result = state.app.sync.bootstrap(caller).await?;
    // Each conversation's members' markers give its messages' delivery status.
    let recent_messages: BTreeMap<_, _> = result
        .conversations
        .iter()
        .zip(&result.recent_messages)
        .map(|(summary, (id, messages))| {
            let markers = summary.markers();
            let dtos = messages
                .iter()
                .map(|m| MessageDto::seen_by(m, caller.user_id, &markers))
                .collect();
            (id.as_uuid(), dtos)
        })
        .collect();
    Ok(ok(Bootstrap {
        me: UserDto::from(&result.me),
        conversations: result
            .conversations
            .iter()
            .map(ConversationDto::from)
            .collect(),
        recent_messages,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ChangesParams {
    /// A JSON object `{conversation_id: seq}`, URL-encoded: the last seq the client has of each
    /// conversation. Conversations it does not name are returned from the start.
    after_seq_by_conversation: Option<String>,
    /// Most events per conversation, 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// The events of each of the caller's conversations after the client's cursor, in seq order.
#[utoipa::path(get, path = "/v1/sync/changes", tag = "sync", security(("bearer" = [])),
    params(ChangesParams),
    responses(
        (status = 200, description = "The changes", body = Envelope<Changes>),
        (status = 400, description = "after_seq_by_conversation is not a JSON object of seqs", body = ErrorEnvelope),
        (status = 422, description = "Negative seq or invalid limit", body = ErrorEnvelope),
    ))]
async fn changes(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Query(params): Query<ChangesParams>,
) -> Result<Response, ApiError> {
    let limit = int_param("limit", params.limit.as_deref())?;
    let cursors = parse_cursors(params.after_seq_by_conversation.as_deref())?;
    let result = state.app.sync.changes(caller, &cursors, limit).await?;
    let has_more = result.has_more();
    Ok(ok(Changes {
        changes: result
            .conversations
            .iter()
            .map(|c| ConversationChanges {
                conversation_id: c.conversation_id.as_uuid(),
                events: c
                    .events
                    .iter()
                    .map(|e| ChangeEvent::seen_by(e, caller.user_id, &c.markers))
                    .collect(),
                has_more: c.has_more,
                history_from: c.history_from,
            })
            .collect(),
        has_more,
        gone: result.gone.iter().map(|id| id.as_uuid()).collect(),
    }))
}

/// One cursor's seq: any JSON integer (`3` or `3.0`).
#[derive(Debug, Deserialize)]
struct CursorSeq(#[serde(deserialize_with = "hearth_proto::strict::integer")] Seq);

/// The query parameter that carries the cursors.
const CURSORS: &str = "after_seq_by_conversation";

/// Reads `{conversation_id: seq}`. Text that is not JSON is 400; JSON that is not an object of
/// conversation ids to integers (an array, a string, a fractional seq, a key that is not an
/// id) is 422 naming the parameter. A seq below 0 is refused by the use case.
fn parse_cursors(raw: Option<&str>) -> Result<HashMap<ConversationId, Seq>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(HashMap::new());
    };
    let object: HashMap<String, CursorSeq> = json::decode(raw.as_bytes(), Some(CURSORS))?;
    object
        .into_iter()
        .map(|(key, CursorSeq(seq))| match key.parse() {
            Ok(id) => Ok((id, seq)),
            Err(_) => Err(ApiError::field(
                &format!("{CURSORS}.{key}"),
                "must be a conversation id",
            )),
        })
        .collect()
}
