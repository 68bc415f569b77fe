//! Hearth's load generator. Each scenario drives a Hearth server — a process it starts from the
//! `hearth` binary with a fresh data directory, so that it can read the server's memory — over
//! the real REST and WebSocket APIs, bounded in count and time, on loopback only, and reports
//! figures against the budget of `docs/performance.md`.
//!
//! `--smoke` runs every scenario at toy sizes; the test suite runs it to keep the harness
//! working. It is not a performance test: timings are never asserted.
#![allow(
    clippy::indexing_slicing,
    reason = "events are serde_json::Value, whose indexing by key yields Null instead of panicking"
)]

mod population;
mod report;
mod scenarios;
mod server;
mod stats;

pub use report::{Report, Row};
pub use scenarios::{Scenario, Sizes};
pub use server::{ServerOptions, ServerProcess};

/// Runs `scenarios` against servers started from `server`, returning one report.
pub async fn run(
    server: &ServerOptions,
    scenarios: &[Scenario],
    sizes: &Sizes,
) -> anyhow::Result<Report> {
    // Thousands of sockets need thousands of descriptors.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mut report = Report::new();
    for scenario in scenarios {
        let mut runs = Vec::with_capacity(sizes.runs);
        for _ in 0..sizes.runs.max(1) {
            runs.push(scenarios::run(*scenario, server, sizes).await?);
        }
        report.rows.extend(report::median_of_runs(runs));
    }
    Ok(report)
}
