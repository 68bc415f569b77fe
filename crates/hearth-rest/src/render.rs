//! The success side of the envelope.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_proto::Envelope;
use serde::Serialize;

/// `200 {"data": …}`.
pub(crate) fn ok<T: Serialize>(data: T) -> Response {
    (StatusCode::OK, Json(Envelope { data })).into_response()
}

/// `201 {"data": …}`: something new was made.
pub(crate) fn created<T: Serialize>(data: T) -> Response {
    (StatusCode::CREATED, Json(Envelope { data })).into_response()
}

/// `202 {"data": …}`: taken, and finished later (or elsewhere).
pub(crate) fn accepted<T: Serialize>(data: T) -> Response {
    (StatusCode::ACCEPTED, Json(Envelope { data })).into_response()
}

/// `201` when `is_new`, else `200` (an idempotent replay or an existing resource).
pub(crate) fn created_or_ok<T: Serialize>(is_new: bool, data: T) -> Response {
    if is_new { created(data) } else { ok(data) }
}
