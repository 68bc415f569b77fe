//! A PostgreSQL server of the test's own, for outages: a fresh cluster (`initdb`) in a
//! temporary directory on a free port, which the test stops and starts with `pg_ctl` — only
//! this cluster, by its own data directory, never the shared server on 5432.
//!
//! PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user
//! (which Debian's package creates) and the directory is handed to it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A PostgreSQL cluster of the test's own; stopped (immediately) and removed when dropped.
pub struct OwnPostgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    /// Creates a cluster and starts it.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let data = tempfile::tempdir().expect("temp dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(data.path())
                .status()
                .expect("chown");
            assert!(status.success(), "cannot give the cluster to postgres");
        }
        let postgres = Self {
            bin: bin_dir(),
            data,
            port,
        };
        postgres.run(
            "initdb",
            &[
                "-D",
                &postgres.cluster().display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        postgres.start_again();
        postgres
    }

    /// The server's URL (its `postgres` database; tests create their own beside it).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`: an outage, not a shutdown).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"]);
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.data.path().display()
        );
        self.pg_ctl(&[
            "start",
            "-o",
            &options,
            "-l",
            &self.log().display().to_string(),
        ]);
    }

    fn cluster(&self) -> PathBuf {
        self.data.path().join("cluster")
    }

    fn log(&self) -> PathBuf {
        self.data.path().join("postgres.log")
    }

    /// `pg_ctl -D <cluster> -w <args>`: waits until the server is up or down.
    fn pg_ctl(&self, args: &[&str]) {
        let cluster = self.cluster().display().to_string();
        let mut all = vec!["-D", cluster.as_str(), "-w"];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when the test runs as root).
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir("/")
            .stdin(Stdio::null())
            .output()
            .expect("PostgreSQL's programs are installed");
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let cluster = self.cluster();
        if cluster.join("postmaster.pid").exists() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.stop()));
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Where `initdb` and `pg_ctl` are: `pg_config --bindir`, else Debian's versioned directory.
fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| Path::new(bin).join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("PostgreSQL's server programs (initdb, pg_ctl) are installed")
}
