//! Full-text search: `GET /v1/conversations/{id}/messages/search` and `GET /v1/messages/search`.

use axum::extract::State;
use axum::response::Response;
use hearth_app::{Caller, SearchInput, SearchPage};
use hearth_proto::{Envelope, ErrorEnvelope, SearchResult, SearchResults};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, ConversationPath, Query, int_param};
use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(search_conversation))
        .routes(routes!(search_all))
}

#[derive(Debug, Deserialize, IntoParams)]
struct SearchParams {
    /// What to find, 1–200 characters: words (each matched by its stem, all required),
    /// `"quoted phrases"` and `prefix*`.
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

impl SearchParams {
    fn input(self) -> Result<SearchInput, ApiError> {
        Ok(SearchInput {
            limit: int_param("limit", self.limit.as_deref())?,
            q: self.q,
            cursor: self.cursor,
        })
    }
}

fn render(page: &SearchPage, caller: Caller) -> Response {
    ok(SearchResults {
        results: page
            .hits
            .iter()
            .map(|hit| SearchResult::for_viewer(hit, caller.user_id))
            .collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
        has_more: page.next_cursor.is_some(),
    })
}

/// Search one conversation's messages, newest first, with snippets marking the matches.
/// Deleted messages are never found.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages/search", tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), SearchParams),
    responses(
        (status = 200, description = "Matches, newest first", body = Envelope<SearchResults>),
        (status = 400, description = "Malformed cursor", body = ErrorEnvelope),
        (status = 403, description = "Not a member", body = ErrorEnvelope),
        (status = 404, description = "No such conversation", body = ErrorEnvelope),
        (status = 422, description = "Missing or invalid q, or invalid limit", body = ErrorEnvelope),
    ))]
async fn search_conversation(
    State(state): State<RestState>,
    Auth(caller): Auth,
    ConversationPath(id): ConversationPath,
    Query(params): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .messages
        .search(caller, Some(id), params.input()?)
        .await?;
    Ok(render(&page, caller))
}

/// Search the messages of every conversation you are in, newest first.
#[utoipa::path(get, path = "/v1/messages/search", tag = "messages", security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, description = "Matches, newest first", body = Envelope<SearchResults>),
        (status = 400, description = "Malformed cursor", body = ErrorEnvelope),
        (status = 422, description = "Missing or invalid q, or invalid limit", body = ErrorEnvelope),
    ))]
async fn search_all(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Query(params): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .messages
        .search(caller, None, params.input()?)
        .await?;
    Ok(render(&page, caller))
}
