//! Cold start: from spawning the binary on an empty data directory to the first answered
//! request; idle memory after it.

use std::time::{Duration, Instant};

use hearth_sdk::Client;

use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let mut starts = Vec::new();
    let mut idle_rss = 0;
    for _ in 0..sizes.cold_starts.max(1) {
        let spawned = Instant::now();
        // `start` returns once the server has bound its port and logged that it serves.
        let process = ServerProcess::start(server)?;
        Client::new(&process.base)?.health().await?;
        starts.push(spawned.elapsed());
        // Let start-up allocations settle before reading the idle footprint.
        tokio::time::sleep(Duration::from_millis(200)).await;
        idle_rss = idle_rss.max(process.rss_kib()?);
        process.stop()?;
    }
    let starts = Samples::new(starts);
    let setup = format!("{} start(s) on an empty data directory", starts.len());
    Ok(vec![
        Row::new(
            "coldstart",
            "start to first answer (median)",
            ms(starts.percentile(50.0)),
            "ms",
            &setup,
        )
        .at_most(100.0),
        Row::new(
            "coldstart",
            "idle RSS (max)",
            (idle_rss as f64 / 102.4).round() / 10.0,
            "MB",
            &setup,
        )
        .at_most(20.0),
    ])
}
