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
pub use server::{Deployment, ServerOptions, ServerProcess};

/// Runs `scenarios` against servers started from each of `servers`, returning one report.
///
/// With several servers (an A/B comparison) their runs of a scenario interleave, in turn
/// forwards and backwards (A B B A A B …), so that each sees the machine as it is at the time —
/// this machine's speed drifts by ±15 % within minutes, more than most changes are worth — and
/// every row's setup names its binary.
pub async fn run(
    servers: &[ServerOptions],
    scenarios: &[Scenario],
    sizes: &Sizes,
) -> anyhow::Result<Report> {
    // Thousands of sockets need thousands of descriptors.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mut report = Report::new();
    for scenario in scenarios {
        let mut runs: Vec<Vec<Vec<Row>>> = vec![Vec::new(); servers.len()];
        for (_, which) in interleaved(sizes.runs.max(1), servers.len()) {
            if let (Some(server), Some(its_runs)) = (servers.get(which), runs.get_mut(which)) {
                its_runs.push(scenarios::run(*scenario, server, sizes).await?);
            }
        }
        for (server, its_runs) in servers.iter().zip(runs) {
            let rows = report::median_of_runs(its_runs);
            report.rows.extend(rows.into_iter().map(|mut row| {
                if servers.len() > 1 {
                    row.setup = format!("{}; {}", row.setup, server.binary.display());
                }
                row
            }));
        }
    }
    Ok(report)
}

/// The order of `runs` runs of each of `servers` servers, as (run, server): forwards on even
/// runs, backwards on odd ones, so that a drift of the machine favours no server.
fn interleaved(runs: usize, servers: usize) -> Vec<(usize, usize)> {
    (0..runs)
        .flat_map(|run| {
            let order: Vec<usize> = if run % 2 == 0 {
                (0..servers).collect()
            } else {
                (0..servers).rev().collect()
            };
            order.into_iter().map(move |server| (run, server))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::interleaved;

    #[test]
    fn runs_of_two_servers_interleave_forwards_then_backwards() {
        assert_eq!(
            interleaved(3, 2),
            [(0, 0), (0, 1), (1, 1), (1, 0), (2, 0), (2, 1)]
        );
    }

    #[test]
    fn one_server_runs_its_runs_in_order() {
        assert_eq!(interleaved(2, 1), [(0, 0), (1, 0)]);
    }
}
