//! `POST /graphql` (queries and mutations, `Authorization: Bearer`) and
//! `GET /graphql/schema.graphql` (the SDL).
//!
//! A request without a token runs with no caller (introspection needs none; every field that
//! reads or writes the caller's data answers `unauthorized`); a request with a bad token is
//! answered `unauthorized` without running. GraphQL answers are `200` with `errors` (GraphQL
//! over HTTP); only a body that is not a GraphQL request is `400`. Each request gets its own
//! user loader, so a response names all its senders with one call.

use async_graphql::dataloader::DataLoader;
use async_graphql_axum::GraphQLResponse;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_proto::ErrorCode;
use tracing::Instrument;

use crate::context::Asking;
use crate::error::{coded, error, refuse, response_of};
use crate::loader::UserLoader;
use crate::{FACE, GqlState};

/// The bearer token of the request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    hearth_app::bearer_token(headers.get(header::AUTHORIZATION)?.to_str().ok()?)
}

/// A request that never reached the schema, answered as a GraphQL response with `code`'s
/// status.
fn refused(code: ErrorCode, message: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(response_of(refuse(code, message)))).into_response()
}

/// The body as a GraphQL request (`{"query", "variables"?, "operationName"?}` in JSON).
fn parse(
    body: Result<Bytes, BytesRejection>,
) -> Result<async_graphql::Request, (ErrorCode, String)> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            (
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the server accepts".to_owned(),
            )
        } else {
            (ErrorCode::BadRequest, rejection.body_text())
        }
    })?;
    serde_json::from_slice(&body).map_err(|err| {
        (
            ErrorCode::BadRequest,
            format!("the body is not a GraphQL request: {err}"),
        )
    })
}

/// Runs one query or mutation.
pub(crate) async fn execute(
    State(state): State<GqlState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut request = match parse(body) {
        Ok(request) => request,
        Err((code, message)) => return refused(code, message),
    };
    let app = &state.shared.app;
    let asking = match bearer(&headers) {
        None => Asking(None),
        Some(token) => match app.auth.authenticate(token) {
            Ok(caller) => Asking(Some(caller)),
            Err(err) => return GraphQLResponse::from(response_of(error(err))).into_response(),
        },
    };
    state.documents.prepare(&mut request);
    let operation = request.operation_name.clone().unwrap_or_default();
    metrics::counter!("hearth_face_requests_total", "face" => FACE, "operation" => "http")
        .increment(1);
    let span = tracing::info_span!(
        "graphql",
        operation = %operation,
        user_id = ?asking.0.map(|c| c.user_id.to_string()),
    );
    let request = request.data(asking).data(DataLoader::new(
        UserLoader { app: app.clone() },
        tokio::spawn,
    ));
    let response = state.schema.execute(request).instrument(span).await;
    if response.is_err() {
        metrics::counter!("hearth_face_errors_total", "face" => FACE).increment(1);
    }
    GraphQLResponse::from(coded(response)).into_response()
}

/// The schema in SDL (the file checked in as `crates/hearth-graphql/schema.graphql`).
pub(crate) async fn sdl(State(state): State<GqlState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.sdl.as_ref().clone(),
    )
        .into_response()
}
