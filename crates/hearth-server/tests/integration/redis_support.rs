//! Redis for the tests: the shared one on loopback under a key prefix of the test's own, or a
//! `redis-server` the test starts (and stops, by PID) on a port of its own, for outages.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hearth_redis::RedisSettings;
use uuid::Uuid;

/// The shared Redis (`HEARTH_TEST_REDIS_URL`, default the one on 127.0.0.1:6379), with a
/// prefix no other test uses.
pub fn shared_redis() -> RedisSettings {
    let url = std::env::var("HEARTH_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    settings(url)
}

fn settings(url: String) -> RedisSettings {
    RedisSettings {
        url,
        prefix: format!("hearth-test-{}:", Uuid::now_v7()),
    }
}

/// A `redis-server` of the test's own, which the test may stop and start again on the same
/// port. Keeps nothing on disk. Stopped when dropped.
pub struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// Starts one on a free port and waits until it answers.
    pub async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut redis = Self { port, child: None };
        redis.start_again().await;
        redis
    }

    /// Settings for this server with a fresh prefix.
    pub fn settings(&self) -> RedisSettings {
        settings(format!("redis://127.0.0.1:{}", self.port))
    }

    /// Stops the server (SIGKILL to its PID: an outage, not a shutdown).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and waits until it answers.
    pub async fn start_again(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        self.child = Some(child);
        let client =
            redis::Client::open(format!("redis://127.0.0.1:{}", self.port)).expect("redis url");
        for _ in 0..200 {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return;
            }
            // Waiting for a process to open its port: there is no event to await.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not answer on port {}", self.port);
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
