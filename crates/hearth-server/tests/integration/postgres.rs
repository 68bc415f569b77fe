//! The server on PostgreSQL: chosen by `database.url` / `DATABASE_URL`, its pool figures in
//! `/readyz` and `/metrics`, a clear start-up error when PostgreSQL is unreachable, and 503
//! `unavailable` with Retry-After (never a hang) while the database refuses connections, then
//! service again by itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_store_postgres::testing::{TestDatabase, server_url};
use reqwest::Method;

use crate::lifecycle::{hearth, serve_failing_with};
use crate::support::TestApp;

pub(crate) async fn on_postgres() -> (Arc<TestDatabase>, TestApp) {
    let database = Arc::new(TestDatabase::create().await.unwrap());
    let app = TestApp::spawn_on_postgres(database.clone()).await;
    (database, app)
}

/// A connection to the server tests make their databases on.
pub(crate) async fn admin() -> tokio_postgres::Client {
    connect(&server_url()).await
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_server_on_postgres_serves_and_reports_its_pool() {
    let (_database, app) = on_postgres().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k1", "stored in postgres")
        .await
        .expect(201);
    let messages = app.all_messages(&bob, &dm).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["content"], "stored in postgres");

    let ready = app
        .request(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    let pool = &ready.data()["database"]["pool"];
    assert_eq!(pool["max_size"], 16, "{}", ready.body);
    assert!(pool["size"].as_u64().unwrap() >= 1, "{}", ready.body);
    assert_eq!(pool["waiting"], 0, "{}", ready.body);

    let metrics = app.metrics().await;
    for gauge in [
        "hearth_db_pool_max_connections 16",
        "hearth_db_pool_connections",
        "hearth_db_pool_in_use",
        "hearth_db_pool_waiting",
    ] {
        assert!(metrics.contains(gauge), "{gauge} missing: {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_database_refusing_connections_answers_503_quickly_then_serves_again() {
    let (database, app) = on_postgres().await;
    let alice = app.register("alice").await;
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
    let refused = app.get("/v1/conversations", &alice.access).await;
    assert!(started.elapsed() < Duration::from_secs(10), "no hang");
    let refused = refused.expect_error(503, "unavailable");
    assert!(refused.headers.contains_key("retry-after"), "{refused:?}");

    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    // The node serves again by itself within 30 s of the database's return (the contract);
    // a pooled connection the database ended may still answer one 503 first.
    let back = Instant::now();
    while app.get("/v1/conversations", &alice.access).await.status != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "still refused after 30 s"
        );
        // The pool reconnects on its own schedule; there is no event to await.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.get("/v1/conversations", &alice.access)
        .await
        .expect(200);
}

#[tokio::test]
async fn test_serve_with_postgres_unreachable_fails_with_a_clear_message() {
    let started = Instant::now();
    // Port 9 (discard) has nothing listening on loopback.
    let stderr = serve_failing_with(&[(
        "DATABASE_URL",
        "postgres://hearth:secret@127.0.0.1:9/hearth",
    )]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stderr.contains("cannot open the PostgreSQL database"),
        "{stderr}"
    );
    assert!(stderr.contains("hearth:***@127.0.0.1:9"), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the password stays out: {stderr}"
    );
}

#[tokio::test]
async fn test_serve_with_a_database_url_that_is_not_postgres_fails_with_a_clear_message() {
    let stderr = serve_failing_with(&[("DATABASE_URL", "mysql://root@127.0.0.1/hearth")]);
    assert!(stderr.contains("database.url (DATABASE_URL)"), "{stderr}");
}

#[tokio::test]
async fn test_migrate_on_postgres_applies_the_schema_once() {
    let database = TestDatabase::create().await.unwrap();
    for run in 0..2 {
        let output = hearth()
            .env("DATABASE_URL", database.url())
            .arg("migrate")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "run {run}: {stderr}");
        assert!(stderr.contains("schema is current"), "run {run}: {stderr}");
    }
    let applied: i64 = connect(database.url())
        .await
        .query_one("SELECT count(*) FROM hearth_migrations", &[])
        .await
        .unwrap()
        .get(0);
    let known = hearth_store_postgres::MIGRATIONS.len() as i64;
    assert_eq!(applied, known, "every migration, each recorded once");
}
