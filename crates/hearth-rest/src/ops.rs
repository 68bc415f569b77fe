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

/// The process can serve: the database answers reads and the writer is alive. With a pooled
/// database, `database.pool` gives its figures.
async fn readyz(State(state): State<RestState>) -> Result<Response, ApiError> {
    state.app.ready().await?;
    let body = match state.app.database_pool() {
        Some(pool) => json!({
            "status": "ready",
            "database": {
                "pool": {
                    "max_size": pool.max_size,
                    "size": pool.size,
                    "in_use": pool.in_use,
                    "waiting": pool.waiting,
                }
            }
        }),
        None => json!({ "status": "ready" }),
    };
    Ok(ok(body))
}

/// Prometheus text exposition. A pooled database's figures are read at each scrape.
async fn metrics(State(state): State<RestState>) -> Response {
    if let Some(pool) = state.app.database_pool() {
        // Gauges are f64; pool sizes are small.
        #[allow(clippy::cast_precision_loss, reason = "pool sizes are far below 2^52")]
        let figure = |n: usize| n as f64;
        metrics::gauge!("hearth_db_pool_max_connections").set(figure(pool.max_size));
        metrics::gauge!("hearth_db_pool_connections").set(figure(pool.size));
        metrics::gauge!("hearth_db_pool_in_use").set(figure(pool.in_use));
        metrics::gauge!("hearth_db_pool_waiting").set(figure(pool.waiting));
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
