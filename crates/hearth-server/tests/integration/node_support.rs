//! `hearth serve` processes as nodes of one server on a shared PostgreSQL and Redis, and the
//! plain HTTP calls the multi-process tests make to them.

use std::process::Child;

use serde_json::{Value, json};

use crate::lifecycle::serve_with;

/// A `hearth serve` process of the shared server; killed when dropped.
pub struct NodeProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    _data: tempfile::TempDir,
}

impl NodeProcess {
    /// Starts a node on the PostgreSQL database `database_url` and the Redis `redis_url`.
    pub fn start(database_url: &str, redis_url: &str, prefix: &str) -> Self {
        let data = tempfile::tempdir().unwrap();
        let (child, base, lines) = serve_with(
            data.path(),
            &[
                ("DATABASE_URL", database_url),
                ("HEARTH_REDIS__URL", redis_url),
                ("HEARTH_REDIS__PREFIX", prefix),
                ("HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE", "100000"),
                ("HEARTH_LIMITS__AUTH_PER_IP_PER_MINUTE", "100000"),
            ],
        );
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            base,
            _data: data,
        }
    }

    /// SIGKILL, by the child's PID.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `POST url` with `body` (as `token`): the answer's `data`; the answer must be a success.
pub async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json::<Value>().await.unwrap()["data"].clone()
}

/// Sends `key` to `node`; `false` when the node did not acknowledge it.
pub async fn send(client: &reqwest::Client, node: &str, token: &str, dm: &str, key: &str) -> bool {
    let answered = client
        .post(format!("{node}/v1/conversations/{dm}/messages"))
        .bearer_auth(token)
        .json(&json!({ "client_message_id": key, "content": format!("message {key}") }))
        .send()
        .await;
    matches!(answered, Ok(response) if response.status().is_success())
}
