//! A real S3-compatible server for tests: `s3s-fs` 0.14 (installed by `scripts/test`) on a
//! loopback port of its own, over a fresh temporary folder, stopped (by its PID) when dropped.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The access key id every test server accepts.
pub const ACCESS_KEY: &str = "AKIAHEARTHTEST";
/// The secret access key every test server accepts.
pub const SECRET_KEY: &str = "hearth-test-secret-key";

/// A running `s3s-fs` with one bucket.
#[derive(Debug)]
pub struct S3Server {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// The bucket created for the test.
    pub bucket: String,
    /// The folder the objects are files in (`<root>/<bucket>/<key>`).
    pub root: PathBuf,
    child: Child,
    _dir: TempDir,
}

/// Where the `s3s-fs` binary is: `$S3S_FS`, else the PATH, else cargo's bin folder.
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return PathBuf::from(path);
    }
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("s3s-fs"))
            .find(|candidate| candidate.is_file())
    });
    in_path.unwrap_or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
            .unwrap_or_default();
        home.join("bin").join("s3s-fs")
    })
}

impl S3Server {
    /// Starts a server with the bucket `bucket`. Panics, saying how to install it, when
    /// `s3s-fs` is missing: S3 tests are never skipped silently.
    #[allow(
        clippy::expect_used,
        reason = "test support: a failed start should panic"
    )]
    pub async fn start(bucket: &str) -> Self {
        let binary = binary();
        assert!(
            binary.is_file(),
            "s3s-fs is not installed ({}): run scripts/test, or \
             `cargo install s3s-fs@0.14.0 --features binary --locked`",
            binary.display()
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("s3");
        std::fs::create_dir_all(root.join(bucket)).expect("the bucket's folder");
        // A free port: bound, read and released; s3s-fs binds it next.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("s3s-fs starts");
        let address = format!("127.0.0.1:{port}");
        let ready = async {
            while TcpStream::connect(&address).await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), ready)
            .await
            .expect("s3s-fs listens within 10 s");
        Self {
            endpoint: format!("http://{address}"),
            bucket: bucket.to_owned(),
            root,
            child,
            _dir: dir,
        }
    }

    /// The folder of the test bucket's objects.
    pub fn bucket_dir(&self) -> PathBuf {
        self.root.join(&self.bucket)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // Our own child, by its PID (kill_on_drop does the same; this is explicit).
        if let Err(err) = self.child.start_kill() {
            eprintln!("cannot stop s3s-fs: {err}");
        }
    }
}
