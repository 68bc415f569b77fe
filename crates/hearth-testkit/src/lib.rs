//! Test support for Hearth's use cases: a real [`App`] over a real SQLite store in a fresh
//! temporary directory, and helpers that register users and create conversations through
//! the use cases themselves.
//!
//! It exists so that the rules living in `hearth-app` are tested below HTTP, as a face calls
//! them, with nothing mocked: the store is the SQLite adapter the server runs, the bus is the
//! in-process hub. [`build_app`] is the one place that wires an `App` (it calls the same
//! constructors as `hearth_server::run`), so a change to `App::new` is adapted here once.
//!
//! This crate is for tests only (`publish = false`, a dev-dependency): its helpers panic on
//! an unexpected failure, with the failure in the message, as a test should.

#![expect(
    clippy::expect_used,
    reason = "test support: a setup step that fails should stop the test with its message"
)]

mod conversations;
mod messages;
pub mod s3;
mod users;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use hearth_app::{App, JwtSecret, LimitSettings, Outbox, Settings};
use hearth_realtime::{Hub, HubSettings, InProcess};
use hearth_store::DynStore;
use hearth_store_sqlite::{SqliteOptions, SqliteStore};
use tempfile::TempDir;

pub use crate::users::TestUser;

/// The address test requests come from (the auth rate limits count per address).
pub const TEST_IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery";

/// Wires the use cases over `store` with `settings`, announcing on an in-process hub: the one
/// place a test `App` is built.
pub fn build_app(store: DynStore, settings: Settings) -> App {
    build_realtime_app(store, settings).0
}

/// [`build_app`], with the hub the use cases announce on, for tests that register a
/// connection and read what reaches it.
pub fn build_realtime_app(store: DynStore, settings: Settings) -> (App, Arc<Hub>) {
    let secret =
        JwtSecret::new(vec![7; JwtSecret::MIN_LEN]).expect("a secret of the minimum length");
    // The same in-process realtime as a single-node server, attached, so that what the use
    // cases announce reaches a connection a test registers with the hub.
    let realtime = InProcess::new(HubSettings::default());
    // Mails are written as files, as on a server without SMTP, to a directory of this process.
    let mail_dir = std::env::temp_dir().join(format!("hearth-testkit-mail-{}", std::process::id()));
    let from = "Hearth <hearth@localhost>"
        .parse()
        .expect("a sender address");
    let mailer = Arc::new(hearth_mail::FileMailer::new(mail_dir, from));
    let outbox = Outbox::new(mailer, Outbox::DEFAULT_TIMEOUT);
    let app = App::new(store, settings, secret, realtime.ports.clone(), outbox);
    realtime.attach(&app);
    (app, realtime.hub.clone())
}

/// Settings for tests: the defaults, with rate limits high enough that only a test about a
/// limit meets one.
pub fn test_settings() -> Settings {
    Settings {
        limits: LimitSettings {
            auth_per_ip_per_minute: 100_000,
            auth_per_username_per_minute: 100_000,
            mails_per_account_per_minute: 100_000,
            sends_per_user_per_minute: 100_000,
            conversation_changes_per_user_per_minute: 100_000,
        },
        ..Settings::default()
    }
}

/// A real `App` over a fresh SQLite database in a temporary directory, removed on drop.
#[derive(Debug)]
pub struct TestKit {
    /// The use cases, as every face holds them.
    pub app: App,
    /// This node's connections: register one to read what the use cases deliver.
    pub hub: Arc<Hub>,
    store: Arc<SqliteStore>,
    _data: TempDir,
}

impl TestKit {
    /// A kit with [`test_settings`].
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// A kit with [`test_settings`] as changed by `adjust` (a rate limit, the edit window).
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStore::open(&data.path().join("hearth.db"), SqliteOptions::default())
            .await
            .expect("open the SQLite store");
        let store = Arc::new(store);
        let mut settings = test_settings();
        adjust(&mut settings);
        let (app, hub) = build_realtime_app(store.clone(), settings);
        Self {
            app,
            hub,
            store,
            _data: data,
        }
    }

    /// Commits what the store's writer has queued and closes it (as the server does at
    /// shutdown). Dropping the kit without it is fine too: the directory goes either way.
    pub async fn close(self) {
        self.store.close().await;
    }
}
