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
            "fanout",
            "fanout-room",
            "graphql",
            "latency",
            "throughput-rest",
            "throughput-ws"
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
        [20.0, 20.0],
        "both throughput runs read back every acknowledged message"
    );
    assert!(report.table().contains("| throughput-ws |"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_throughput_benchmark_runs_on_postgres_in_smoke_mode() {
    let server = ServerOptions {
        binary: PathBuf::from(env!("CARGO_BIN_EXE_hearth")),
        env: Vec::new(),
        postgres: Some(hearth_store_postgres::testing::server_url()),
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
