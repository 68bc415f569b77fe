//! Operations endpoints: liveness, readiness, Prometheus metrics.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hearth_app::realtime::BusStatus;
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

/// The process can serve: the database answers reads and the writer is alive (else 503).
/// A shared bus cut off from the other nodes keeps the node serving — sends commit and
/// clients catch up by sync — so it answers 200 with `status: degraded`.
async fn readyz(State(state): State<RestState>) -> Result<Response, ApiError> {
    state.app.ready().await?;
    let bus = state.app.bus_status();
    let status = if bus == BusStatus::Degraded {
        "degraded"
    } else {
        "ready"
    };
    Ok(ok(json!({
        "status": status,
        "checks": { "database": "ok", "bus": bus.as_str() },
    })))
}

/// Prometheus text exposition.
async fn metrics(State(state): State<RestState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
