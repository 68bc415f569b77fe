//! `hearth-bench`: runs the load scenarios against a `hearth` binary and prints the table.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hearth_bench::{Scenario, ServerOptions, Sizes};

/// Measures a Hearth server against the performance budget (docs/performance.md). Every
/// scenario starts its own server from `--binary` on a free loopback port with a fresh data
/// directory, and drives it over the real REST and WebSocket APIs.
#[derive(Debug, Parser)]
#[command(name = "hearth-bench", version)]
struct Args {
    /// Scenarios to run (default: all).
    #[arg(value_enum)]
    scenarios: Vec<Scenario>,
    /// The `hearth` binary to measure (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/hearth")]
    binary: PathBuf,
    /// Toy sizes that run every scenario in seconds (keeps the harness working; no figures
    /// worth quoting).
    #[arg(long)]
    smoke: bool,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Concurrent senders (throughput).
    #[arg(long)]
    senders: Option<usize>,
    /// Messages per sender (throughput).
    #[arg(long)]
    messages: Option<usize>,
    /// Connected sockets (latency).
    #[arg(long)]
    clients: Option<usize>,
    /// Background messages per second (latency).
    #[arg(long)]
    rate: Option<u32>,
    /// Idle sockets (connections).
    #[arg(long)]
    connections: Option<usize>,
    /// Fan-out recipients: devices (fanout) or room members (fanout-room).
    #[arg(long)]
    members: Option<usize>,
    /// Missed messages (catch-up).
    #[arg(long)]
    missed: Option<usize>,
    /// Runs of each scenario, each on a fresh server: every figure is reported as the median,
    /// with the range (this machine's speed drifts by ±15 % between runs).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// A second `hearth` binary to measure in the same command (an A/B comparison): the two
    /// binaries' runs interleave, and each row names its binary. Use with `--runs`.
    #[arg(long)]
    against: Option<PathBuf>,
    /// Run every server as a node of a multi-node server, on this Redis (bus, presence,
    /// viewers and rate limits through it; keys under a prefix of this command's own).
    #[arg(long)]
    redis_url: Option<String>,
    /// Run every server on PostgreSQL: a fresh database per server start on this server
    /// (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), dropped after.
    #[arg(long)]
    database_url: Option<String>,
    /// Run every server as N nodes of one server on one fresh PostgreSQL database and the
    /// Redis (both required with N > 1); the throughput, latency and fan-out scenarios spread
    /// their clients over the nodes (a latency probe is sent on node 1 and read on node 2).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
}

/// The settings that put a server on `redis_url`, under a prefix no other command uses.
fn redis_env(redis_url: Option<&str>) -> Vec<(String, String)> {
    let Some(url) = redis_url else {
        return Vec::new();
    };
    vec![
        ("HEARTH_REDIS__URL".to_owned(), url.to_owned()),
        (
            "HEARTH_REDIS__PREFIX".to_owned(),
            format!("hearth-bench-{}:", std::process::id()),
        ),
    ]
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| format!("{} GiB", kib / 1024 / 1024))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {memory}")
}

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[expect(clippy::print_stdout, reason = "the report is the program's output")]
fn print_report(text: &str) {
    println!("{text}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.nodes > 1 && (args.redis_url.is_none() || args.database_url.is_none()) {
        eprintln!("error: --nodes above 1 needs --redis-url and --database-url: nodes share both");
        return ExitCode::FAILURE;
    }
    let mut sizes = if args.smoke {
        Sizes::smoke()
    } else {
        Sizes::full()
    };
    if let Some(n) = args.senders {
        sizes.senders = n;
    }
    if let Some(n) = args.messages {
        sizes.messages_per_sender = n;
    }
    if let Some(n) = args.clients {
        sizes.latency_clients = n;
    }
    if let Some(n) = args.rate {
        sizes.background_rate = n;
    }
    if let Some(n) = args.connections {
        sizes.connections = n;
    }
    if let Some(n) = args.members {
        sizes.fanout_members = n;
    }
    if let Some(n) = args.missed {
        sizes.catchup_messages = n;
    }
    sizes.runs = args.runs.max(1);
    let scenarios = if args.scenarios.is_empty() {
        Scenario::ALL.to_vec()
    } else {
        args.scenarios.clone()
    };
    let servers: Vec<ServerOptions> = std::iter::once(args.binary.clone())
        .chain(args.against.clone())
        .map(|binary| ServerOptions {
            binary,
            env: redis_env(args.redis_url.as_deref()),
            postgres: args.database_url.clone(),
            nodes: args.nodes.max(1),
        })
        .collect();
    match hearth_bench::run(&servers, &scenarios, &sizes).await {
        Ok(report) => {
            let command = std::env::args().collect::<Vec<_>>().join(" ");
            if args.json {
                let json = serde_json::json!({ "machine": machine(), "commit": commit(), "command": command, "rows": report.rows });
                print_report(&json.to_string());
            } else {
                print_report(&format!(
                    "machine: {}\ncommit: {}\ncommand: {command}\n\n{}",
                    machine(),
                    commit(),
                    report.table()
                ));
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
