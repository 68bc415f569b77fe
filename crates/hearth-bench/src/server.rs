//! Starting and watching the server under test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hearth_store_postgres::testing::TestDatabase;
use tempfile::TempDir;

/// How to start a server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The `hearth` binary.
    pub binary: PathBuf,
    /// Extra `HEARTH_*` settings.
    pub env: Vec<(String, String)>,
    /// A PostgreSQL server (URL) to run on instead of SQLite: each start gets a fresh database
    /// of its own there, dropped when the server is.
    pub postgres: Option<String>,
    /// Nodes of one server that the scenarios spread their clients over (1: one process).
    /// More than one needs `postgres` and a Redis in `env`: the nodes share one fresh database.
    pub nodes: usize,
}

/// The server under test: one process, or several nodes of one server sharing one fresh
/// PostgreSQL database (and the Redis the options name). Scenarios spread their clients over
/// the nodes with [`Deployment::base`].
#[derive(Debug)]
pub struct Deployment {
    nodes: Vec<ServerProcess>,
    // Dropped after the nodes: a database cannot be dropped while they are connected.
    _database: Option<TestDatabase>,
}

impl Deployment {
    /// Starts `options.nodes` nodes (at least one).
    pub fn start(options: &ServerOptions) -> anyhow::Result<Self> {
        let database = options
            .postgres
            .as_deref()
            .map(fresh_database)
            .transpose()?;
        let url = database.as_ref().map(TestDatabase::url);
        let nodes = (0..options.nodes.max(1))
            .map(|_| ServerProcess::spawn(options, tempfile::tempdir()?, url))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            nodes,
            _database: database,
        })
    }

    /// The base URL of node `i`, counting round the nodes (`i` may be any client's number).
    pub fn base(&self, i: usize) -> &str {
        self.nodes
            .get(i % self.nodes.len().max(1))
            .map_or("", |node| node.base.as_str())
    }

    /// How many nodes serve.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no node serves (never, once started).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Stops every node (SIGTERM) and waits for them.
    pub fn stop(self) -> anyhow::Result<()> {
        let Self { nodes, _database } = self;
        for node in nodes {
            node.stop()?;
        }
        Ok(())
    }
}

/// A running server process with its own data directory.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// From spawn until it logged that it serves.
    pub started_in: Duration,
    _data: TempDir,
    _database: Option<TestDatabase>,
}

impl ServerProcess {
    /// Starts the binary on a free loopback port with a fresh data directory, limits raised so
    /// that the load generator, not a rate limit, is measured.
    pub fn start(options: &ServerOptions) -> anyhow::Result<Self> {
        Self::start_in(options, tempfile::tempdir()?)
    }

    /// Starts the binary on `data` (and on a fresh database of its own with `postgres`).
    fn start_in(options: &ServerOptions, data: TempDir) -> anyhow::Result<Self> {
        let database = options
            .postgres
            .as_deref()
            .map(fresh_database)
            .transpose()?;
        let mut process = Self::spawn(options, data, database.as_ref().map(TestDatabase::url))?;
        process._database = database;
        Ok(process)
    }

    /// Starts the binary on `data`, on the PostgreSQL database `database_url` if given.
    fn spawn(
        options: &ServerOptions,
        data: TempDir,
        database_url: Option<&str>,
    ) -> anyhow::Result<Self> {
        let spawned = Instant::now();
        let mut command = Command::new(&options.binary);
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .env("RUST_LOG", "warn,hearth_server=info")
            .env("HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE", "1000000000")
            .env(
                "HEARTH_LIMITS__CONVERSATION_CHANGES_PER_USER_PER_MINUTE",
                "1000000000",
            )
            .env("HEARTH_LIMITS__AUTH_PER_IP_PER_MINUTE", "1000000000")
            .env("HEARTH_LIMITS__AUTH_PER_USERNAME_PER_MINUTE", "1000000000")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", options.binary.display()))?;
        let stderr = child.stderr.take().context("no stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split("address=").nth(1) {
                        break rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                    }
                }
                _ => bail!("the server exited before serving"),
            }
        };
        let started_in = spawned.elapsed();
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self {
            child,
            base: format!("http://{address}"),
            started_in,
            _data: data,
            _database: None,
        })
    }

    /// The server's resident memory, in KiB (from /proc).
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .context("no VmRSS in /proc status")
    }

    /// Stops the server as an operator would (SIGTERM) and waits for it; returns its data
    /// directory.
    pub fn stop(mut self) -> anyhow::Result<TempDir> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.wait();
        let data = std::mem::replace(&mut self._data, tempfile::tempdir()?);
        Ok(data)
    }
}

/// A fresh database on the PostgreSQL server `server`, made on a thread of its own (the
/// harness starts servers from sync code inside the runtime).
fn fresh_database(server: &str) -> anyhow::Result<TestDatabase> {
    let server = server.to_owned();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(TestDatabase::create_on(&server))
            .map_err(anyhow::Error::from)
    })
    .join()
    .map_err(|_| anyhow::anyhow!("creating the database panicked"))?
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
