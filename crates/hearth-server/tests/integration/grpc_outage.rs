//! The gRPC face while the database refuses connections (PostgreSQL): health says
//! `NOT_SERVING` and calls are `UNAVAILABLE` with a retry hint — never a hang — then both
//! recover by themselves.

use std::time::{Duration, Instant};

use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::grpc_support::{assert_refused, grpc_send, send_request};
use crate::postgres::{admin, on_postgres};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_grpc_health_and_calls_follow_the_database() {
    let (database, app) = on_postgres().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut health = HealthClient::new(app.grpc_channel().await);
    let mut grpc = app.messenger().await;
    let check = HealthCheckRequest {
        service: String::new(),
    };
    let admin = admin().await;
    let name = database.name();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();

    let started = Instant::now();
    let down = health.check(check.clone()).await.unwrap().into_inner();
    assert_eq!(down.status(), ServingStatus::NotServing);
    let refused = grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "x", "k"),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    let status = refused.as_ref().expect_err("refused").clone();
    assert_refused(refused, Code::Unavailable, "unavailable");
    assert!(status.metadata().get("retry-after-ms").is_some());

    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    let up = health.check(check).await.unwrap().into_inner();
    assert_eq!(up.status(), ServingStatus::Serving);
}
