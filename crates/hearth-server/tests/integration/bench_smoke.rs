//! The benchmark harness, at toy sizes, against the real `hearth` binary: it keeps working.
//! Timings are not asserted (they are measured by `hearth-bench` in release builds and
//! recorded in docs/performance.md); only that every scenario runs and verifies.

use std::path::PathBuf;

use hearth_bench::{Scenario, ServerOptions, Sizes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_every_benchmark_scenario_runs_in_smoke_mode() {
    let server = ServerOptions {
        binary: PathBuf::from(env!("CARGO_BIN_EXE_hearth")),
        env: Vec::new(),
        postgres: None,
        nodes: 1,
    };
    let report = hearth_bench::run(
        std::slice::from_ref(&server),
        &Scenario::ALL,
        &Sizes::smoke(),
    )
    .await
    .expect("every scenario runs");
    let scenarios: std::collections::BTreeSet<_> = report.rows.iter().map(|r| r.scenario).collect();
    assert_eq!(
        scenarios.into_iter().collect::<Vec<_>>(),
        [
            "catchup",
            "coldstart",
            "connections",
            "connections-socketio",
            "fanout",
            "fanout-room",
            "graphql",
            "latency",
            "socketio",
            "throughput-grpc",
            "throughput-rest",
            "throughput-ws",
            "thumbnails"
        ]
    );
    let verified: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.metric.starts_with("verified"))
        .map(|r| r.value)
        .collect();
    assert_eq!(
        verified,
        [20.0, 20.0, 20.0],
        "every throughput run reads back every acknowledged message"
    );
    assert!(report.table().contains("| throughput-ws |"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_throughput_benchmark_runs_on_postgres_in_smoke_mode() {
    let server = ServerOptions {
        binary: PathBuf::from(env!("CARGO_BIN_EXE_hearth")),
        env: Vec::new(),
        postgres: Some(hearth_store_postgres::testing::server_url()),
        nodes: 1,
    };
    let report = hearth_bench::run(
        std::slice::from_ref(&server),
        &[Scenario::ThroughputWs],
        &Sizes::smoke(),
    )
    .await
    .expect("the scenario runs on PostgreSQL");
    let stored = report
        .rows
        .iter()
        .find(|row| row.metric.contains("stored once"))
        .expect("a verification row");
    assert!(stored.value > 0.0, "{stored:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_cross_node_benchmarks_run_on_two_nodes_in_smoke_mode() {
    let redis = crate::redis_support::shared_redis();
    let server = ServerOptions {
        binary: PathBuf::from(env!("CARGO_BIN_EXE_hearth")),
        env: vec![
            ("HEARTH_REDIS__URL".to_owned(), redis.url.clone()),
            ("HEARTH_REDIS__PREFIX".to_owned(), redis.prefix.clone()),
        ],
        postgres: Some(hearth_store_postgres::testing::server_url()),
        nodes: 2,
    };
    let report = hearth_bench::run(
        std::slice::from_ref(&server),
        &[
            Scenario::ThroughputWs,
            Scenario::Latency,
            Scenario::FanoutRoom,
        ],
        &Sizes::smoke(),
    )
    .await
    .expect("the scenarios run on two nodes");
    let stored = report
        .rows
        .iter()
        .find(|row| row.metric.contains("stored once"))
        .expect("a verification row");
    assert_eq!(
        stored.value, 20.0,
        "every message stored once across the nodes"
    );
    for row in &report.rows {
        assert!(row.setup.contains("over 2 nodes"), "{row:?}");
    }
    let arrivals = report
        .rows
        .iter()
        .filter(|row| row.metric.starts_with("send to"))
        .count();
    assert!(arrivals >= 8, "probes and fan-out arrived across nodes");
}
