//! The standard health service (`grpc.health.v1.Health`): `SERVING` while the store answers,
//! `NOT_SERVING` while it does not — for the whole server (service `""`) and for
//! `hearth.v1.MessengerService`. The store is asked on each `Check` (and `Watch`) call, just
//! before the standard service answers, so no task polls it in the background.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use hearth_app::App;
use tonic::server::NamedService;
use tonic_health::ServingStatus;
use tonic_health::server::{HealthReporter, HealthService};

use crate::pb::messenger_service_server::MessengerServiceServer;

/// The services health reports on.
const SERVICES: [&str; 2] = [
    "",
    <MessengerServiceServer<crate::messenger::Messenger> as NamedService>::NAME,
];

#[derive(Clone)]
struct Health {
    app: App,
    reporter: HealthReporter,
}

/// The health service's routes.
pub(crate) fn router(app: App) -> Router {
    let reporter = HealthReporter::new();
    let service = tonic_health::pb::health_server::HealthServer::new(
        HealthService::from_health_reporter(reporter.clone()),
    );
    // A router of its own without a fallback (tonic's `Routes` has one), so it merges.
    let path = format!(
        "/{}/{{*rpc}}",
        <tonic_health::pb::health_server::HealthServer<HealthService> as NamedService>::NAME
    );
    Router::new()
        .route_service(&path, service)
        .layer(middleware::from_fn_with_state(
            Health { app, reporter },
            refresh,
        ))
}

/// Asks the store, records the answer, then lets the standard service answer.
async fn refresh(State(health): State<Health>, request: Request, next: Next) -> Response {
    metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "rpc" => "Health")
        .increment(1);
    let status = match health.app.ready().await {
        Ok(()) => ServingStatus::Serving,
        Err(err) => {
            tracing::warn!(cause = %err, "gRPC health: the store does not answer");
            ServingStatus::NotServing
        }
    };
    for service in SERVICES {
        health.reporter.set_service_status(service, status).await;
    }
    next.run(request).await
}
