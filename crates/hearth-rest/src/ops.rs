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
/// clients catch up by sync — so it answers 200 with `status: degraded`. With a pooled
/// database, `database.pool` gives its figures.
async fn readyz(State(state): State<RestState>) -> Result<Response, ApiError> {
    state.app.ready().await?;
    let bus = state.app.bus_status();
    let status = if bus == BusStatus::Degraded {
        "degraded"
    } else {
        "ready"
    };
    let mut body = serde_json::Map::new();
    body.insert("status".to_owned(), json!(status));
    body.insert(
        "checks".to_owned(),
        json!({ "database": "ok", "bus": bus.as_str() }),
    );
    if let Some(pool) = state.app.database_pool() {
        let figures = json!({
            "pool": {
                "max_size": pool.max_size,
                "size": pool.size,
                "in_use": pool.in_use,
                "waiting": pool.waiting,
            }
        });
        body.insert("database".to_owned(), figures);
    }
    Ok(ok(serde_json::Value::Object(body)))
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
