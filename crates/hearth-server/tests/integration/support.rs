//! The test harness: a real Hearth server on 127.0.0.1:0 with a fresh data directory, and a
//! real HTTP client with typed helpers (register, send, …).

use std::path::{Path, PathBuf};
use std::sync::Once;

use std::sync::Arc;

use hearth_server::{Config, StartupError};
use hearth_store_postgres::testing::TestDatabase;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server and the client that talks to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// A client without cookies or redirects.
    pub client: reqwest::Client,
    /// The configuration it runs with.
    pub config: Config,
    data: Option<TempDir>,
    /// The PostgreSQL database it runs on, dropped with the app (`None`: SQLite).
    database: Option<Arc<TestDatabase>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartupError>>>,
}

/// An HTTP answer, its body parsed as JSON (`Value::Null` when it is not JSON).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    /// The `data` of a success envelope.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The `error.code` of an error envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts an error envelope with this status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(self.code(), code, "unexpected code; body: {}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.body
        );
        self
    }
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: String,
    pub access: String,
    pub refresh: String,
}

fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info")
                .with_test_writer()
                .try_init();
        }
    });
}

/// A configuration for tests: a fresh data directory, port 0, limits high enough that only the
/// rate-limit tests meet them.
pub fn test_config(data_dir: &Path) -> Config {
    let mut config = Config {
        data_dir: data_dir.to_owned(),
        ..Config::default()
    };
    config.listen = "127.0.0.1:0".parse().unwrap_or(config.listen);
    config.limits.auth_per_ip_per_minute = 100_000;
    config.limits.auth_per_username_per_minute = 100_000;
    config.limits.sends_per_user_per_minute = 100_000;
    config.limits.mails_per_account_per_minute = 100_000;
    config.limits.conversation_changes_per_user_per_minute = 100_000;
    config
}

impl TestApp {
    /// A server with the test configuration.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server with the test configuration as changed by `adjust`, on SQLite, or on a
    /// PostgreSQL database of its own when `HEARTH_TEST_STORE=postgres`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let database = match std::env::var("HEARTH_TEST_STORE").as_deref() {
            Ok("postgres") => Some(Arc::new(
                TestDatabase::create().await.expect("test database"),
            )),
            _ => None,
        };
        Self::spawn_on(database, adjust).await
    }

    /// A server on SQLite in its data directory, whatever `HEARTH_TEST_STORE` says: for tests of
    /// what SQLite keeps there.
    pub async fn spawn_on_sqlite_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(None, adjust).await
    }

    /// A server on PostgreSQL, whatever `HEARTH_TEST_STORE` says: on `database`.
    pub async fn spawn_on_postgres(database: Arc<TestDatabase>) -> Self {
        Self::spawn_on(Some(database), |_| {}).await
    }

    /// A server on PostgreSQL `database`, configured by `adjust` (another node of the same
    /// server when another app runs on the same database and Redis).
    pub async fn spawn_on_postgres_with(
        database: Arc<TestDatabase>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        Self::spawn_on(Some(database), adjust).await
    }

    async fn spawn_on(
        database: Option<Arc<TestDatabase>>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(data.path());
        config.database.url = database.as_ref().map(|d| d.url().to_owned());
        adjust(&mut config);
        Self::start(config, data, database).await
    }

    async fn start(config: Config, data: TempDir, database: Option<Arc<TestDatabase>>) -> Self {
        init_tracing();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(hearth_server::run(config.clone(), listener, async move {
            let _ = stop.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            base,
            client,
            config,
            data: Some(data),
            database,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// Signals the server to shut down (as SIGTERM does) without waiting.
    pub fn signal_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Stops the server gracefully and waits until it has.
    pub async fn stop(&mut self) {
        self.signal_shutdown();
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    /// Stops the server and gives back its data directory, for another server to start in.
    pub async fn stop_keeping_data(mut self) -> TempDir {
        self.stop().await;
        self.data.take().expect("data dir")
    }

    /// A server on PostgreSQL `database` in `data`, the data directory another server used.
    pub async fn spawn_in_on_postgres(data: TempDir, database: Arc<TestDatabase>) -> Self {
        let mut config = test_config(data.path());
        config.database.url = Some(database.url().to_owned());
        Self::start(config, data, Some(database)).await
    }

    /// Stops the server and starts a new one on the same data directory (and a new port).
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        let data = self.data.take().expect("data dir");
        Self::start(self.config.clone(), data, self.database.take()).await
    }

    /// Stops the server and starts a new one on the same data directory and database, with
    /// its configuration changed by `adjust`.
    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Config)) -> Self {
        self.stop().await;
        let data = self.data.take().expect("data dir");
        let mut config = self.config.clone();
        adjust(&mut config);
        Self::start(config, data, self.database.take()).await
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        let response = self.client.get(self.url("/metrics")).send().await;
        response
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request and reads the answer.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request sent")).await
    }

    /// `GET path` as `token`.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    /// `POST path` with a JSON body as `token`.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    /// `POST path` with a JSON body, unauthenticated.
    pub async fn post_anon(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path, None, Some(body)).await
    }

    /// Registers `username` with a fixed password and returns the session.
    pub async fn register(&self, username: &str) -> Session {
        let response = self
            .post_anon(
                "/v1/auth/register",
                json!({ "username": username, "password": "correct horse battery" }),
            )
            .await
            .expect(201);
        session_of(response.data())
    }

    /// `DELETE /v1/users/me` as `who`, proven by the password every test account has.
    pub async fn delete_my_account(&self, who: &Session) -> Response {
        self.request(
            Method::DELETE,
            "/v1/users/me",
            Some(&who.access),
            Some(json!({ "password": "correct horse battery" })),
        )
        .await
    }

    /// Registers alice and bob and opens their direct conversation: the usual cast.
    pub async fn alice_and_bob(&self) -> (Session, Session, String) {
        let alice = self.register("alice").await;
        let bob = self.register("bob").await;
        let dm = self.direct(&alice, &bob).await;
        (alice, bob, dm)
    }

    /// Opens (or gets) the direct conversation of `a` with `b`; returns its id.
    pub async fn direct(&self, a: &Session, b: &Session) -> String {
        let response = self
            .post(
                "/v1/conversations/direct",
                &a.access,
                json!({ "other_user_id": b.user_id }),
            )
            .await;
        assert!(
            response.status == 200 || response.status == 201,
            "direct: {}",
            response.body
        );
        response.data()["id"]
            .as_str()
            .expect("conversation id")
            .to_owned()
    }

    /// Sends `content` with key `key` as `who`; returns the answer.
    pub async fn send(
        &self,
        who: &Session,
        conversation: &str,
        key: &str,
        content: &str,
    ) -> Response {
        self.post(
            &format!("/v1/conversations/{conversation}/messages"),
            &who.access,
            json!({ "client_message_id": key, "content": content }),
        )
        .await
    }

    /// Every message of a conversation as `who` reads it, paging `after_seq` to the end.
    pub async fn all_messages(&self, who: &Session, conversation: &str) -> Vec<Value> {
        let mut after = 0;
        let mut all = Vec::new();
        loop {
            let path =
                format!("/v1/conversations/{conversation}/messages?after_seq={after}&limit=100");
            let page = self.get(&path, &who.access).await.expect(200);
            let messages = page.data()["messages"]
                .as_array()
                .expect("messages")
                .clone();
            after = messages
                .last()
                .map_or(after, |m| m["seq"].as_i64().expect("seq"));
            all.extend(messages);
            if page.data()["has_more"] != true {
                return all;
            }
        }
    }

    /// The server's access-token signing secret, as someone holding the database would read
    /// it (to forge tokens the server must judge on their merits, e.g. expired ones).
    pub async fn signing_secret(&self) -> Vec<u8> {
        if let Some(configured) = &self.config.auth.jwt_secret {
            return configured.as_bytes().to_vec();
        }
        match &self.database {
            Some(database) => postgres_signing_secret(database.url()).await,
            None => stored_signing_secret(&self.data_dir()),
        }
    }
}

/// The signing secret in the PostgreSQL database at `url`.
async fn postgres_signing_secret(url: &str) -> Vec<u8> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(connection);
    client
        .query_one(
            "SELECT value FROM secrets WHERE name = $1",
            &[&hearth_server::SIGNING_SECRET_NAME],
        )
        .await
        .expect("a stored secret")
        .get(0)
}

/// The signing secret in the database of `data_dir`, read beside the running server (a
/// read-only connection; WAL lets it read while the server writes).
pub fn stored_signing_secret(data_dir: &Path) -> Vec<u8> {
    let db = rusqlite::Connection::open_with_flags(
        data_dir.join("hearth.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the database");
    db.query_row(
        "SELECT value FROM secrets WHERE name = ?",
        [hearth_server::SIGNING_SECRET_NAME],
        |row| row.get(0),
    )
    .expect("a stored secret")
}

/// Reads an HTTP answer.
pub async fn read(response: reqwest::Response) -> Response {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Response {
        status,
        headers,
        body,
    }
}

/// The session in a `{user, tokens}` answer.
pub fn session_of(data: &Value) -> Session {
    Session {
        user_id: data["user"]["id"].as_str().expect("user.id").to_owned(),
        access: data["tokens"]["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        refresh: data["tokens"]["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    }
}

/// A JWT signed with `secret` for `user`, expiring at `exp` (Unix seconds).
pub fn forge_token(secret: &[u8], user: &str, exp: i64) -> String {
    let claims = json!({ "sub": user, "sid": uuid::Uuid::now_v7(), "iat": exp - 900, "exp": exp });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("sign token")
}

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
