//! Operations endpoints: liveness, readiness, Prometheus metrics.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::render::ok;
use crate::{ApiError, RestState};

pub(crate) fn router() -> Router<RestState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The process is up.
async fn healthz() -> Response {
    ok(json!({ "status": "ok" }))
}

/// The process can serve: the database answers reads and the writer is alive.
async fn readyz(State(state): State<RestState>) -> Result<Response, ApiError> {
    state.app.ready().await?;
    Ok(ok(json!({ "status": "ready" })))
}

/// Prometheus text exposition.
async fn metrics(State(state): State<RestState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
