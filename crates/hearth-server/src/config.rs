//! The server's configuration: one typed struct, loaded once at start, validated, passed down.
//!
//! Layers, later wins: built-in defaults → the TOML file of `--config` → `HEARTH_*`
//! environment variables (nested keys with `__`, e.g. `HEARTH_LIMITS__MAX_BODY_BYTES`) →
//! command-line flags (`--listen`, `--data`). Nothing reads configuration from globals.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hearth_app::realtime::TypingSettings;
use hearth_app::{AccountSettings, AuthSettings, LimitSettings, MessageSettings, Settings};
use hearth_realtime::HubSettings;
use hearth_redis::RedisSettings;
use hearth_socketio::SocketIoSettings;
use hearth_ws::WsSettings;
use serde::Deserialize;

use crate::StartupError;
use crate::identity_providers::{self, IdentityProviderConfig};

/// Everything the server can be told.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on (`HEARTH_LISTEN`).
    pub listen: SocketAddr,
    /// Directory of the database, media and generated secrets (`HEARTH_DATA`).
    #[serde(alias = "data")]
    pub data_dir: PathBuf,
    /// Logging.
    pub log: LogConfig,
    /// Tokens and sessions.
    pub auth: AuthConfig,
    /// Input sizes and rate limits.
    pub limits: LimitsConfig,
    /// Cross-origin access.
    pub cors: CorsConfig,
    /// Realtime connections.
    pub realtime: RealtimeConfig,
    /// Message rules.
    pub messages: MessagesConfig,
    /// The web client served at `/`.
    pub web: WebConfig,
    /// The database (default: the embedded SQLite file in the data directory).
    pub database: DatabaseConfig,
    /// The Redis that several nodes share (unset: one node, realtime in process).
    pub redis: RedisConfig,
    /// The API's documentation pages.
    pub docs: DocsConfig,
    /// The address people open the web client at, e.g. `https://chat.example.org`; mailed
    /// links start with it (default: `http://` and the listen address).
    pub public_url: Option<String>,
    /// Outgoing mail (password reset); without SMTP, mails are `.eml` files in
    /// `<data>/mail/`.
    pub mail: hearth_mail::MailConfig,
    /// Uploaded files: where they are kept (`<data>/media` by default, or an S3 bucket) and
    /// the limits on them (see docs/media.md).
    pub media: hearth_media::MediaConfig,
    /// The OpenID Connect and OAuth 2.0 providers people may sign in with, by id (they need
    /// `public_url` set explicitly: it is registered with each provider).
    pub identity_providers: BTreeMap<String, IdentityProviderConfig>,
    /// Encryption at rest (off by default; see docs/encryption.md).
    pub encryption: crate::encryption::EncryptionConfig,
}

/// The API's documentation: `/docs` (Swagger UI) and `/v1/openapi.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocsConfig {
    /// Serve them (default `true`; seed 003 hides them in production).
    pub enabled: bool,
}

impl Default for DocsConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// The Redis that several nodes share: the bus between them.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS); also read from
    /// `REDIS_URL`. Unset (default): one node, realtime in process.
    pub url: Option<String>,
    /// Put before every Redis key and channel, so that several instances can share one Redis
    /// (default `hearth:`).
    pub prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            url: None,
            prefix: "hearth:".to_owned(),
        }
    }
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("RedisConfig")
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Which database the server keeps its data in.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL (`postgres://user:password@host:5432/hearth`), from `database.url`,
    /// `DATABASE_URL` or `HEARTH_DATABASE__URL` (which wins). When absent the server uses
    /// SQLite in the data directory.
    pub url: Option<String>,
    /// PostgreSQL only: most connections this node keeps open (default 16; each node of a
    /// server has its own pool, so the nodes together need at most N × this).
    pub max_connections: usize,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: hearth_store_postgres::PostgresOptions::default().max_connections,
        }
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("DatabaseConfig")
            .field("url", &self.url.as_deref().map(redacted_url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// A database URL fit for logs and messages: any password replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<not a URL>".to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            let password = if credentials.contains(':') {
                ":***"
            } else {
                ""
            };
            format!("{scheme}://{user}{password}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// The web client served at `/`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Serve the client from this directory (a `web/dist`, read once at start) instead of the
    /// copy built into the binary; for working on the client without rebuilding the server.
    pub dir: Option<PathBuf>,
}

/// Realtime connections (WebSocket).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeConfig {
    /// Events that may wait for one connection before it is closed as a slow consumer
    /// (default 256).
    pub queue_capacity: usize,
    /// Seconds between server pings; a peer silent for two intervals is dropped (default 30).
    pub ping_interval_secs: u64,
    /// Seconds a connection opened without `?token=` has to send `auth` (default 10).
    pub auth_timeout_secs: u64,
    /// Largest WebSocket frame, in bytes; larger ones close the connection with 1009
    /// (default 65,536).
    pub max_frame_bytes: usize,
    /// Largest action, in bytes; larger ones (within the frame limit) get an error event
    /// (default 32,768).
    pub max_action_bytes: usize,
    /// Milliseconds a typing indicator lasts without a repeat (default 5,000).
    pub typing_ttl_ms: u64,
    /// Least milliseconds between two broadcasts of one user's typing (default 2,000).
    pub typing_throttle_ms: u64,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 256,
            ping_interval_secs: 30,
            auth_timeout_secs: 10,
            max_frame_bytes: 64 * 1024,
            max_action_bytes: 32 * 1024,
            typing_ttl_ms: 5_000,
            typing_throttle_ms: 2_000,
        }
    }
}

/// Message rules.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessagesConfig {
    /// Seconds after sending during which the author may edit a message (default 172,800:
    /// 48 hours); 0 means no limit.
    pub edit_window_secs: u64,
}

impl Default for MessagesConfig {
    fn default() -> Self {
        let window = hearth_app::MessageSettings::DEFAULT_EDIT_WINDOW;
        Self {
            edit_window_secs: window.as_secs(),
        }
    }
}

/// Logging.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `tracing` filter directives, e.g. `info` or `hearth=debug,info` (`RUST_LOG` wins).
    pub filter: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Tokens and sessions.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of an access token, in seconds (default 900: 15 minutes).
    pub access_token_ttl_secs: u64,
    /// Lifetime of an unused refresh token, in days (default 30).
    pub refresh_token_ttl_days: u64,
    /// Seconds after a rotation during which the rotated refresh token still buys a new pair
    /// (a client retrying a lost response) instead of revoking the session (default 10).
    pub refresh_reuse_grace_secs: u64,
    /// The access-token signing secret (≥ 32 bytes). When absent, one is generated into the
    /// data directory. Set it to share tokens between nodes.
    pub jwt_secret: Option<String>,
    /// Minutes a mailed password-reset link works (default 30).
    pub password_reset_ttl_mins: u64,
    /// Sign-in needs a proven e-mail address: registration then needs an address and mails a
    /// confirmation link instead of signing in (default `false`).
    pub require_email_verification: bool,
    /// How long a mailed confirmation link works, in hours (default 24).
    pub email_verification_ttl_hours: u64,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_days", &self.refresh_token_ttl_days)
            .field("refresh_reuse_grace_secs", &self.refresh_reuse_grace_secs)
            .field("password_reset_ttl_mins", &self.password_reset_ttl_mins)
            .field(
                "require_email_verification",
                &self.require_email_verification,
            )
            .field(
                "email_verification_ttl_hours",
                &self.email_verification_ttl_hours,
            )
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Input sizes and rate limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body, in bytes (default 65,536).
    pub max_body_bytes: usize,
    /// Register / login / refresh attempts per client IP per minute (default 30).
    pub auth_per_ip_per_minute: u32,
    /// Register / login / refresh attempts per username per minute (default 10).
    pub auth_per_username_per_minute: u32,
    /// Mails (password reset) asked for per account name or address per minute: a burst of
    /// this many, then one every minute / this (default 2).
    pub mails_per_account_per_minute: u32,
    /// Messages per user per minute, across every face (default 30).
    pub sends_per_user_per_minute: u32,
    /// Conversation changes per user per minute — creating, joining, leaving, adding and
    /// removing members, roles, settings (default 30; seed 003 limits room management).
    pub conversation_changes_per_user_per_minute: u32,
}

/// Cross-origin access.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins (`https://chat.example.org`) allowed to call the API from a browser; empty: none.
    pub allowed_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            cors: CorsConfig::default(),
            realtime: RealtimeConfig::default(),
            messages: MessagesConfig::default(),
            web: WebConfig::default(),
            database: DatabaseConfig::default(),
            redis: RedisConfig::default(),
            docs: DocsConfig::default(),
            public_url: None,
            identity_providers: BTreeMap::new(),
            encryption: crate::encryption::EncryptionConfig::default(),
            mail: hearth_mail::MailConfig::default(),
            media: hearth_media::MediaConfig::default(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 30,
            refresh_reuse_grace_secs: 10,
            jwt_secret: None,
            password_reset_ttl_mins: 30,
            require_email_verification: false,
            email_verification_ttl_hours: 24,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let app = LimitSettings::default();
        Self {
            max_body_bytes: 64 * 1024,
            auth_per_ip_per_minute: app.auth_per_ip_per_minute,
            auth_per_username_per_minute: app.auth_per_username_per_minute,
            mails_per_account_per_minute: app.mails_per_account_per_minute,
            sends_per_user_per_minute: app.sends_per_user_per_minute,
            conversation_changes_per_user_per_minute: app.conversation_changes_per_user_per_minute,
        }
    }
}

impl Config {
    /// Loads defaults, then `file` (if given), then `HEARTH_*` variables from `env`, and
    /// validates the result.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, StartupError> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            if !path.is_file() {
                return Err(StartupError::Config(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        // The conventional names sit between the file and the `HEARTH_*` variables.
        for (name, section) in [("DATABASE_URL", "database"), ("REDIS_URL", "redis")] {
            if let Some((_, url)) = env.iter().find(|(k, _)| k == name) {
                // A JSON string is a valid TOML basic string (same escapes).
                let quoted =
                    serde_json::to_string(url).map_err(|e| StartupError::Config(e.to_string()))?;
                builder = builder.add_source(config::File::from_str(
                    &format!("[{section}]\nurl = {quoted}"),
                    config::FileFormat::Toml,
                ));
            }
        }
        let vars: std::collections::HashMap<String, String> = env
            .into_iter()
            // HEARTH_ADMIN_* belongs to `hearth admin`, HEARTH_TEST_* to the test harness.
            .filter(|(k, _)| {
                k.starts_with("HEARTH_")
                    && !k.starts_with("HEARTH_ADMIN_")
                    && !k.starts_with("HEARTH_TEST_")
            })
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("HEARTH")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("cors.allowed_origins")
                .with_list_parse_key("media.allowed_types")
                .source(Some(vars)),
        );
        let config: Config = builder
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(|e| StartupError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value; the error names the key and the rule.
    pub fn validate(&self) -> Result<(), StartupError> {
        let bad = |msg: String| Err(StartupError::Config(msg));
        if self.data_dir.as_os_str().is_empty() {
            return bad("data_dir must not be empty".to_owned());
        }
        if let Some(url) = &self.database.url {
            let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
            if !postgres || hearth_store_postgres::check_url(url).is_err() {
                return bad(format!(
                    "database.url (DATABASE_URL) must be a PostgreSQL URL such as \
                     postgres://user:password@host:5432/hearth, not {}",
                    redacted_url(url)
                ));
            }
        }
        if self.auth.access_token_ttl_secs == 0 || self.auth.access_token_ttl_secs > 24 * 3600 {
            return bad("auth.access_token_ttl_secs must be 1–86400".to_owned());
        }
        if self.auth.refresh_token_ttl_days == 0 || self.auth.refresh_token_ttl_days > 365 {
            return bad("auth.refresh_token_ttl_days must be 1–365".to_owned());
        }
        if self.auth.password_reset_ttl_mins == 0 || self.auth.password_reset_ttl_mins > 24 * 60 {
            return bad("auth.password_reset_ttl_mins must be 1–1440".to_owned());
        }
        if !(1..=168).contains(&self.auth.email_verification_ttl_hours) {
            return bad("auth.email_verification_ttl_hours must be 1–168".to_owned());
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad(format!(
                "public_url must start with http:// or https://, not {url}"
            ));
        }
        if self.mail.timeout_secs == 0 || self.mail.timeout_secs > 300 {
            return bad("mail.timeout_secs must be 1–300".to_owned());
        }
        hearth_mail::from_config(&self.mail, &self.data_dir)
            .map_err(|err| StartupError::Config(err.to_string()))?;
        self.media
            .validate()
            .map_err(|err| StartupError::Config(err.to_string()))?;
        if self.auth.refresh_reuse_grace_secs > 300 {
            return bad("auth.refresh_reuse_grace_secs must be 0–300".to_owned());
        }
        if self.limits.max_body_bytes < 1024 || self.limits.max_body_bytes > 64 * 1024 * 1024 {
            return bad("limits.max_body_bytes must be 1024–67108864".to_owned());
        }
        for (key, value) in [
            (
                "limits.auth_per_ip_per_minute",
                self.limits.auth_per_ip_per_minute,
            ),
            (
                "limits.auth_per_username_per_minute",
                self.limits.auth_per_username_per_minute,
            ),
            (
                "limits.sends_per_user_per_minute",
                self.limits.sends_per_user_per_minute,
            ),
            (
                "limits.mails_per_account_per_minute",
                self.limits.mails_per_account_per_minute,
            ),
            (
                "limits.conversation_changes_per_user_per_minute",
                self.limits.conversation_changes_per_user_per_minute,
            ),
        ] {
            if value == 0 {
                return bad(format!("{key} must be at least 1"));
            }
        }
        for origin in &self.cors.allowed_origins {
            let plausible = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.ends_with('/')
                && axum::http::HeaderValue::from_str(origin).is_ok();
            if !plausible {
                return bad(format!(
                    "cors.allowed_origins: {origin:?} is not an origin like https://chat.example.org (scheme and host, no path)"
                ));
            }
        }
        let realtime = &self.realtime;
        if !(1..=1_000_000).contains(&realtime.queue_capacity) {
            return bad("realtime.queue_capacity must be 1–1000000".to_owned());
        }
        if !(1..=3600).contains(&realtime.ping_interval_secs) {
            return bad("realtime.ping_interval_secs must be 1–3600".to_owned());
        }
        if !(1..=300).contains(&realtime.auth_timeout_secs) {
            return bad("realtime.auth_timeout_secs must be 1–300".to_owned());
        }
        if !(1024..=16 * 1024 * 1024).contains(&realtime.max_frame_bytes) {
            return bad("realtime.max_frame_bytes must be 1024–16777216".to_owned());
        }
        if realtime.max_action_bytes < 256 || realtime.max_action_bytes > realtime.max_frame_bytes {
            return bad(
                "realtime.max_action_bytes must be 256–realtime.max_frame_bytes".to_owned(),
            );
        }
        if realtime.typing_ttl_ms < 100 || realtime.typing_throttle_ms > realtime.typing_ttl_ms {
            return bad("realtime.typing_ttl_ms must be at least 100 and at least realtime.typing_throttle_ms".to_owned());
        }
        if !(1..=1000).contains(&self.database.max_connections) {
            return bad("database.max_connections must be 1–1000".to_owned());
        }
        if let Some(settings) = self.redis_settings() {
            settings
                .check()
                .map_err(|e| StartupError::Config(e.to_string()))?;
        }
        self.identity_providers()?;
        self.encryption.check()?;
        if let Some(secret) = &self.auth.jwt_secret
            && secret.len() < hearth_app::JwtSecret::MIN_LEN
        {
            return bad(format!(
                "auth.jwt_secret must be at least {} bytes",
                hearth_app::JwtSecret::MIN_LEN
            ));
        }
        Ok(())
    }

    /// The identity providers' adapters (checked by [`Config::validate`]).
    pub fn identity_providers(
        &self,
    ) -> Result<
        Vec<std::sync::Arc<dyn hearth_app::identity_providers::IdentityProvider>>,
        StartupError,
    > {
        identity_providers::build(self.public_url.as_deref(), &self.identity_providers)
    }

    /// Whether people reach the server over HTTPS (its cookies are then `Secure`).
    pub fn served_over_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The PostgreSQL store's share.
    pub fn postgres_options(&self) -> hearth_store_postgres::PostgresOptions {
        hearth_store_postgres::PostgresOptions {
            max_connections: self.database.max_connections,
            ..hearth_store_postgres::PostgresOptions::default()
        }
    }

    /// The Redis bus's share, when several nodes share a Redis.
    pub fn redis_settings(&self) -> Option<RedisSettings> {
        self.redis.url.as_ref().map(|url| RedisSettings {
            url: url.clone(),
            prefix: self.redis.prefix.clone(),
        })
    }

    /// The connection hub's share.
    pub fn hub_settings(&self) -> HubSettings {
        HubSettings {
            queue_capacity: self.realtime.queue_capacity,
        }
    }

    /// The WebSocket face's share.
    pub fn ws_settings(&self) -> WsSettings {
        WsSettings {
            ping_interval: Duration::from_secs(self.realtime.ping_interval_secs),
            auth_timeout: Duration::from_secs(self.realtime.auth_timeout_secs),
            max_frame_bytes: self.realtime.max_frame_bytes,
            max_action_bytes: self.realtime.max_action_bytes,
        }
    }

    /// The GraphQL face's share: the WebSocket face's queue bound and frame limit, and REST's
    /// body limit.
    pub fn graphql_settings(&self) -> hearth_graphql::GraphqlSettings {
        hearth_graphql::GraphqlSettings {
            subscription_buffer: self.realtime.queue_capacity,
            max_frame_bytes: self.realtime.max_frame_bytes,
            max_body_bytes: self.limits.max_body_bytes,
            init_timeout: Duration::from_secs(self.realtime.auth_timeout_secs),
            ..hearth_graphql::GraphqlSettings::default()
        }
    }

    /// The Socket.IO face's share: the same queue bound, ping interval and size limit as the
    /// WebSocket face.
    pub fn socketio_settings(&self) -> SocketIoSettings {
        SocketIoSettings {
            max_buffered_packets: self.realtime.queue_capacity,
            ping_interval: Duration::from_secs(self.realtime.ping_interval_secs),
            ping_timeout: Duration::from_secs(self.realtime.ping_interval_secs),
            max_payload_bytes: self.realtime.max_frame_bytes as u64,
        }
    }

    /// The gRPC face's share: a request message may be as large as a REST body.
    pub fn grpc_settings(&self) -> hearth_grpc::GrpcSettings {
        hearth_grpc::GrpcSettings {
            max_message_bytes: self.limits.max_body_bytes,
            ..hearth_grpc::GrpcSettings::default()
        }
    }

    /// The use cases' share.
    pub fn app_settings(&self) -> Settings {
        Settings {
            auth: AuthSettings {
                access_token_ttl: Duration::from_secs(self.auth.access_token_ttl_secs),
                refresh_token_ttl: Duration::from_secs(
                    self.auth.refresh_token_ttl_days * 24 * 3600,
                ),
                refresh_reuse_grace: Duration::from_secs(self.auth.refresh_reuse_grace_secs),
            },
            typing: TypingSettings {
                ttl: Duration::from_millis(self.realtime.typing_ttl_ms),
                throttle: Duration::from_millis(self.realtime.typing_throttle_ms),
            },
            limits: LimitSettings {
                auth_per_ip_per_minute: self.limits.auth_per_ip_per_minute,
                auth_per_username_per_minute: self.limits.auth_per_username_per_minute,
                mails_per_account_per_minute: self.limits.mails_per_account_per_minute,
                sends_per_user_per_minute: self.limits.sends_per_user_per_minute,
                conversation_changes_per_user_per_minute: self
                    .limits
                    .conversation_changes_per_user_per_minute,
            },
            messages: MessageSettings {
                edit_window: (self.messages.edit_window_secs > 0)
                    .then(|| Duration::from_secs(self.messages.edit_window_secs)),
            },
            accounts: AccountSettings {
                public_url: self.public_url(),
                password_reset_ttl: Duration::from_secs(self.auth.password_reset_ttl_mins * 60),
                email_verification_ttl: Duration::from_secs(
                    self.auth.email_verification_ttl_hours * 3600,
                ),
                require_email_verification: self.auth.require_email_verification,
                ..AccountSettings::default()
            },
        }
    }

    /// Where mailed links point: `public_url`, else `http://` and the listen address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn database_url(pairs: &[(&str, &str)]) -> Option<String> {
        Config::load(None, env(pairs))
            .ok()
            .and_then(|c| c.database.url)
    }

    #[test]
    fn the_database_is_sqlite_unless_a_url_is_given() {
        assert_eq!(database_url(&[]), None);
        assert_eq!(
            database_url(&[("DATABASE_URL", "postgres://h@db:5432/hearth")]),
            Some("postgres://h@db:5432/hearth".to_owned())
        );
    }

    #[test]
    fn the_test_harness_variables_are_not_configuration() {
        let config = Config::load(
            None,
            env(&[
                ("HEARTH_TEST_STORE", "postgres"),
                ("HEARTH_TEST_POSTGRES_URL", "postgres://x@y/z"),
            ]),
        );
        assert!(config.is_ok(), "{:?}", config.err());
    }

    #[test]
    fn hearth_database_url_wins_over_database_url() {
        assert_eq!(
            database_url(&[
                ("DATABASE_URL", "postgres://a@db/one"),
                ("HEARTH_DATABASE__URL", "postgres://b@db/two"),
            ]),
            Some("postgres://b@db/two".to_owned())
        );
    }

    #[test]
    fn a_database_url_that_is_not_postgres_is_refused_without_its_password() {
        let err = Config::load(None, env(&[("DATABASE_URL", "mysql://root:pw@db/hearth")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("database.url (DATABASE_URL)"), "{err}");
        assert!(err.contains("mysql://root:***@db/hearth"), "{err}");
        assert!(!err.contains("pw"), "{err}");
    }

    #[test]
    fn a_redacted_url_keeps_everything_but_the_password() {
        assert_eq!(
            redacted_url("postgres://u:p%40ss@h:5432/db?sslmode=disable"),
            "postgres://u:***@h:5432/db?sslmode=disable"
        );
        assert_eq!(redacted_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redacted_url("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn defaults_listen_on_loopback_8080_with_data_dir() {
        let config = Config::load(None, env(&[])).ok();
        assert_eq!(
            config.as_ref().map(|c| c.listen.to_string()),
            Some("127.0.0.1:8080".to_owned())
        );
        assert_eq!(config.map(|c| c.data_dir), Some(PathBuf::from("data")));
    }

    #[test]
    fn environment_overrides_nested_keys() {
        let config = Config::load(
            None,
            env(&[
                ("HEARTH_LISTEN", "127.0.0.1:9000"),
                ("HEARTH_DATA", "/tmp/x"),
                ("HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE", "99"),
                (
                    "HEARTH_CORS__ALLOWED_ORIGINS",
                    "https://a.example,https://b.example",
                ),
                ("HEARTH_MEDIA__ALLOWED_TYPES", "image/*,application/pdf"),
                ("HEARTH_MEDIA__BACKEND", "s3"),
                ("HEARTH_MEDIA__S3__ENDPOINT", "http://127.0.0.1:9000"),
                ("HEARTH_MEDIA__S3__BUCKET", "hearth"),
                ("HEARTH_MEDIA__S3__ACCESS_KEY_ID", "key"),
                ("HEARTH_MEDIA__S3__SECRET_ACCESS_KEY", "secret"),
            ]),
        );
        assert_eq!(
            config.as_ref().ok().map(|c| c.media.allowed_types.clone()),
            Some(vec!["image/*".to_owned(), "application/pdf".to_owned()])
        );
        assert_eq!(
            config
                .as_ref()
                .ok()
                .and_then(|c| c.media.s3.as_ref())
                .map(|s3| (s3.bucket.clone(), s3.region.clone(), s3.path_style)),
            Some(("hearth".to_owned(), "us-east-1".to_owned(), true))
        );
        let config = config.ok();
        assert_eq!(config.as_ref().map(|c| c.listen.port()), Some(9000));
        assert_eq!(
            config.as_ref().map(|c| c.data_dir.clone()),
            Some(PathBuf::from("/tmp/x"))
        );
        assert_eq!(
            config.as_ref().map(|c| c.limits.sends_per_user_per_minute),
            Some(99)
        );
        assert_eq!(config.map(|c| c.cors.allowed_origins.len()), Some(2));
    }

    #[test]
    fn a_bad_value_is_a_clear_error() {
        let err = Config::load(None, env(&[("HEARTH_LISTEN", "not-an-address")])).err();
        assert!(
            err.map(|e| e.to_string())
                .is_some_and(|m| m.contains("invalid configuration"))
        );
        let err = Config::load(None, env(&[("HEARTH_LIMITS__MAX_BODY_BYTES", "10")])).err();
        assert!(
            err.map(|e| e.to_string())
                .is_some_and(|m| m.contains("limits.max_body_bytes"))
        );
        let err = Config::load(
            None,
            env(&[("HEARTH_CORS__ALLOWED_ORIGINS", "example.org")]),
        )
        .err();
        assert!(
            err.map(|e| e.to_string())
                .is_some_and(|m| m.contains("cors.allowed_origins"))
        );
    }

    #[test]
    fn the_edit_window_defaults_to_48_hours_and_0_lifts_it() {
        let window = |pairs: &[(&str, &str)]| {
            Config::load(None, env(pairs))
                .ok()
                .map(|c| c.app_settings().messages.edit_window)
        };
        assert_eq!(window(&[]), Some(Some(Duration::from_secs(48 * 3600))));
        assert_eq!(
            window(&[("HEARTH_MESSAGES__EDIT_WINDOW_SECS", "60")]),
            Some(Some(Duration::from_secs(60)))
        );
        assert_eq!(
            window(&[("HEARTH_MESSAGES__EDIT_WINDOW_SECS", "0")]),
            Some(None)
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let config = Config {
            auth: AuthConfig {
                jwt_secret: Some("s3cr3t".repeat(8)),
                ..AuthConfig::default()
            },
            redis: RedisConfig {
                url: Some("redis://:s3cr3t@127.0.0.1:6379".to_owned()),
                ..RedisConfig::default()
            },
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn redis_url_names_the_shared_redis_and_the_hearth_key_wins() {
        let url = |pairs: &[(&str, &str)]| {
            Config::load(None, env(pairs))
                .ok()
                .and_then(|c| c.redis_settings())
                .map(|s| s.url)
        };
        assert_eq!(url(&[]), None, "one node by default");
        assert_eq!(
            url(&[("REDIS_URL", "redis://127.0.0.1:6380")]).as_deref(),
            Some("redis://127.0.0.1:6380")
        );
        assert_eq!(
            url(&[
                ("REDIS_URL", "redis://127.0.0.1:6380"),
                ("HEARTH_REDIS__URL", "redis://127.0.0.1:6381"),
            ])
            .as_deref(),
            Some("redis://127.0.0.1:6381")
        );
    }

    #[test]
    fn the_pool_size_is_checked() {
        let err = Config::load(None, env(&[("HEARTH_DATABASE__MAX_CONNECTIONS", "0")]))
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("database.max_connections")),
            "{err:?}"
        );
        let config = Config::load(None, env(&[("HEARTH_DATABASE__MAX_CONNECTIONS", "48")]));
        assert_eq!(
            config.ok().map(|c| c.postgres_options().max_connections),
            Some(48)
        );
    }

    #[test]
    fn a_bad_redis_url_or_prefix_stops_the_start() {
        for pairs in [
            &[("REDIS_URL", "http://not-redis")][..],
            &[
                ("REDIS_URL", "redis://127.0.0.1"),
                ("HEARTH_REDIS__PREFIX", "has space"),
            ][..],
        ] {
            let err = Config::load(None, env(pairs)).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains("redis.")),
                "{pairs:?}: {err:?}"
            );
        }
    }
}
