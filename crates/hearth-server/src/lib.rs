//! The `hearth` server: typed configuration, start-up checks, and the wiring of the store, the
//! use cases and the faces into one process.
//!
//! [`run`] is the only way a server starts: it takes an already-bound listener and a shutdown
//! future, so the binary passes the configured address and Ctrl-C/SIGTERM, and tests pass
//! `127.0.0.1:0` and a channel. This crate holds no business rule and no SQL.

pub mod cli;
pub mod config;
pub mod encryption;
pub mod identity_providers;
mod media;
pub mod migrate_store;
mod realtime;
mod secret;
mod startup;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use hearth_app::App;
use hearth_app::realtime::RealtimePorts;
use hearth_rest::RestSettings;

use crate::realtime::Realtime;
use hearth_store::DynStore;
use hearth_store_postgres::PostgresStore;
use hearth_store_sqlite::{SqliteOptions, SqliteStore};
use tokio::net::TcpListener;

pub use crate::config::Config;
pub use crate::secret::{SIGNING_SECRET_NAME, signing_secret};
pub use crate::startup::StartupError;

/// Opens the store the configuration names (creating it, applying migrations): PostgreSQL
/// when `database.url` is set, else the embedded SQLite database in the data directory.
/// Whatever the backend, the rest of the server sees only the ports.
pub async fn open_store(config: &Config) -> Result<DynStore, StartupError> {
    startup::prepare_data_dir(&config.data_dir)?;
    if let Some(url) = &config.database.url {
        let store = PostgresStore::open(url, config.postgres_options())
            .await
            .map_err(|source| StartupError::Postgres {
                url: config::redacted_url(url),
                source,
            })?;
        tracing::info!(database = %config::redacted_url(url), "store: PostgreSQL");
        return Ok(Arc::new(store));
    }
    let path = config.data_dir.join("hearth.db");
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .map_err(|source| StartupError::Database { path, source })?;
    Ok(Arc::new(store))
}

/// Builds the use cases over an open store, signing tokens with `secret` (see
/// [`signing_secret`]), with realtime on `ports` and the configured identity providers.
pub fn build_app(
    config: &Config,
    store: DynStore,
    secret: hearth_app::JwtSecret,
    ports: RealtimePorts,
) -> Result<App, StartupError> {
    let mailer = hearth_mail::from_config(&config.mail, &config.data_dir)
        .map_err(|err| StartupError::Config(err.to_string()))?;
    let outbox = hearth_app::Outbox::new(mailer, config.mail.timeout());
    Ok(
        App::new(store, config.app_settings(), secret, ports, outbox)
            .with_identity_providers(config.identity_providers()?),
    )
}

/// The same app with the configured blob store (`<data>/media`, or the S3 bucket), sealed when
/// encryption at rest opened its keys, media rules and the picture renderer.
pub async fn with_media(
    config: &Config,
    app: App,
    encryption: Option<&encryption::Encryption>,
) -> Result<App, StartupError> {
    let mut blobs = config
        .media
        .open(&config.data_dir)
        .await
        .map_err(|err| StartupError::Config(err.to_string()))?;
    if let Some(encryption) = encryption {
        let mut sealed =
            hearth_media::SealedBlobs::new(blobs, encryption.keys.clone(), encryption.seal_new);
        if encryption.refuse_unsealed {
            sealed = sealed.refusing_plain();
        }
        blobs = std::sync::Arc::new(sealed);
    }
    tracing::info!(
        backend = blobs.backend(),
        sealed = encryption.is_some_and(|e| e.seal_new),
        "media: blob store open"
    );
    Ok(app
        .with_media(blobs, config.media.settings())
        .with_images(std::sync::Arc::new(hearth_media::RasterImages)))
}

/// The web client to serve at `/`: the configured directory's, else the embedded one.
fn web_client(config: &Config) -> Result<hearth_web::WebClient, StartupError> {
    match &config.web.dir {
        Some(dir) => hearth_web::WebClient::from_dir(dir)
            .map_err(|e| StartupError::Config(format!("web.dir: {e}"))),
        None => Ok(hearth_web::WebClient::embedded()),
    }
}

/// How often this node asks the store which sessions other processes ended (the operator's
/// `disable-user`): the longest such a session's tokens and sockets outlive its end.
const ENDED_SESSION_POLL: Duration = Duration::from_secs(1);

/// How often this node looks for data keys another process made (`hearth admin rotate-key`):
/// the longest it goes on sealing with the key before.
pub const DATA_KEY_POLL: Duration = Duration::from_secs(2);

/// How long connections get to close after a shutdown signal before the store closes anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves Hearth on `listener` until `shutdown` completes, then stops accepting, tells every
/// socket to reconnect (close 1012), finishes in-flight requests and actions, commits queued
/// writes, and returns.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let store = open_store(&config).await?;
    let realtime = Realtime::start(&config)?;
    let secret = signing_secret(&config, &store).await?;
    let app = build_app(&config, store.clone(), secret, realtime.ports())?;
    let encryption = encryption::open(&config, &store).await?;
    let app = with_media(&config, app, encryption.as_ref()).await?;
    let sweeper = media::sweep_in_background(app.media.clone(), config.media.sweep_interval());
    // Background jobs read the store on their own time: their reads are counted apart.
    let thumbnailer = tokio::spawn(hearth_store::in_background(
        app.thumbnails.clone().run(media::THUMBNAIL_POLL),
    ));
    let ended_sessions = app.ended_session_feed().start(ENDED_SESSION_POLL).await;
    let data_keys = encryption.as_ref().map(|e| {
        tokio::spawn(hearth_app::data_keys::follow_data_keys(
            store.clone(),
            e.master.clone(),
            e.keys.clone(),
            DATA_KEY_POLL,
        ))
    });
    realtime.attach(&app);
    let hub = realtime.hub();
    let rest = RestSettings {
        cors_allowed_origins: config.cors.allowed_origins.clone(),
        max_body_bytes: config.limits.max_body_bytes,
        publish_docs: config.docs.enabled,
        secure_cookies: config.served_over_https(),
    };
    let web = web_client(&config)?;
    let faces = hearth_ws::router(app.clone(), hub.clone(), config.ws_settings())
        .merge(hearth_graphql::router(
            app.clone(),
            hub.clone(),
            config.graphql_settings(),
        ))
        .merge(hearth_web::router(web, hearth_rest::unknown_route));
    // Socket.IO is a layer around the routes (inside the HTTP middleware): it answers
    // `/socket.io/` itself and hands every other request to the router.
    let socketio = hearth_socketio::layer(app.clone(), hub.clone(), config.socketio_settings());
    let grpc = hearth_grpc::router(app.clone(), hub.clone(), config.grpc_settings());
    let http = hearth_rest::router_around(app, &rest, faces, |routes| routes.layer(socketio));
    // gRPC shares the port (h2c): calls with a gRPC content type go to it, the rest to HTTP.
    let router = hearth_grpc::beside(grpc, http);
    let address = listener
        .local_addr()
        .map_err(|source| StartupError::Listen {
            address: config.listen,
            source,
        })?;
    tracing::info!(%address, data_dir = %config.data_dir.display(), "hearth is serving");

    // Sockets outlive the HTTP connection that upgraded them, so the hub closes them itself
    // while the HTTP server drains.
    let sockets = hub.clone();
    let stop = async move {
        shutdown.await;
        tracing::info!("shutting down: closing sockets, finishing requests");
        sockets.shut_down(SHUTDOWN_GRACE).await;
    };
    // Events and answers are small frames that must leave at once: no Nagle delay.
    let listener = listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(cause = %err, "cannot set TCP_NODELAY on a connection");
        }
    });
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await;
    hub.shut_down(SHUTDOWN_GRACE).await;
    sweeper.abort();
    thumbnailer.abort();
    ended_sessions.abort();
    if let Some(data_keys) = data_keys {
        data_keys.abort();
    }
    tracing::info!("shutting down: finishing queued writes");
    store.close().await;
    served.map_err(|source| StartupError::Serve { source })
}
