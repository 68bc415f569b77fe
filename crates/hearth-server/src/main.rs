//! The `hearth` binary: parses the command line, loads the configuration, and runs a command.

mod admin;
mod malloc_tuning;
mod rotate_key;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use hearth_app::RegisterInput;
use hearth_server::cli::{
    AdminCommand, Cli, Command, CreateUserArgs, MigrateStoreArgs, ServiceTokenArgs,
};
use hearth_server::config::LogFormat;
use hearth_server::migrate_store::MigrationProgress;
use hearth_server::{Config, StartupError};
use hearth_store_sqlite::SqliteStore;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    malloc_tuning::apply();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        return print_openapi();
    }
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    if let Some(data) = cli.data.clone() {
        config.data_dir = data;
    }
    if let Command::Serve(args) = &cli.command
        && let Some(listen) = args.listen
    {
        config.listen = listen;
    }
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve(_) => serve(config).await,
            Command::Migrate => migrate(&config).await,
            Command::MigrateStore(args) => migrate_store(args).await,
            Command::Admin(AdminCommand::CreateUser(args)) => create_user(&config, args).await,
            Command::Admin(AdminCommand::ServiceToken(args)) => service_token(&config, args).await,
            Command::Admin(AdminCommand::ResetPassword(args)) => {
                admin::reset_password(&config, args).await
            }
            Command::Admin(AdminCommand::ListUsers) => admin::list_users(&config).await,
            Command::Admin(AdminCommand::DisableUser(args)) => {
                admin::set_disabled(&config, args, true).await
            }
            Command::Admin(AdminCommand::EnableUser(args)) => {
                admin::set_disabled(&config, args, false).await
            }
            Command::Admin(AdminCommand::RotateKey) => rotate_key::rotate_key(&config).await,
            Command::Openapi => Ok(()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// Writes the OpenAPI document to standard output, pretty-printed as the web client's
/// committed snapshot (`web/src/api/openapi.json`) is, needing no configuration or database.
fn print_openapi() -> ExitCode {
    let written = serde_json::to_string_pretty(&hearth_rest::openapi())
        .map_err(std::io::Error::other)
        .and_then(|json| {
            let mut out = std::io::stdout().lock();
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")
        });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the OpenAPI document: {err}");
            ExitCode::FAILURE
        }
    }
}

fn fail(err: &StartupError) -> ExitCode {
    eprintln!("error: {err}");
    ExitCode::FAILURE
}

fn init_tracing(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn serve(config: Config) -> Result<(), StartupError> {
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartupError::Listen {
                address: config.listen,
                source,
            })?;
    hearth_server::run(config, listener, shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}

async fn migrate(config: &Config) -> Result<(), StartupError> {
    if let Some(url) = &config.database.url {
        // Opening applies pending migrations (under an advisory lock: safe beside running nodes).
        let store = hearth_store_postgres::PostgresStore::open(url, config.postgres_options())
            .await
            .map_err(|source| StartupError::Postgres {
                url: hearth_server::config::redacted_url(url),
                source,
            })?;
        store.close();
        eprintln!(
            "database {}: schema is current",
            hearth_server::config::redacted_url(url)
        );
        return Ok(());
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartupError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let path = config.data_dir.join("hearth.db");
    let applied = SqliteStore::migrate(&path)
        .await
        .map_err(|source| StartupError::Database {
            path: path.clone(),
            source,
        })?;
    eprintln!(
        "database {}: {applied} migration(s) applied; schema is current",
        path.display()
    );
    Ok(())
}

/// The progress of `hearth migrate-store` as a bar on a terminal (hidden otherwise).
struct ProgressBar(indicatif::ProgressBar);

impl MigrationProgress for ProgressBar {
    fn started(&self, rows: u64) {
        self.0.set_length(rows);
    }

    fn copied(&self, table: &'static str, rows: u64) {
        self.0.set_message(table);
        self.0.inc(rows);
    }
}

async fn migrate_store(args: MigrateStoreArgs) -> Result<(), StartupError> {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} rows ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style);
    }
    let progress = ProgressBar(bar);
    let report = hearth_server::migrate_store::migrate_store(&args.from, &args.to, &progress).await;
    progress.0.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "copied {} rows into {}; verified the row count of every table and the seq range of {} conversations",
        report.rows(),
        hearth_server::config::redacted_url(&args.to),
        report.conversations
    );
    for count in &report.counts {
        let _ = writeln!(out, "  {:<22} {:>10}", count.table, count.rows);
    }
    let _ = writeln!(
        out,
        "serve it with DATABASE_URL set to that database (and the same data directory)"
    );
    Ok(())
}

async fn create_user(config: &Config, args: CreateUserArgs) -> Result<(), StartupError> {
    let password = admin::password(args.password)?;
    let (app, store) = admin::offline_app(config).await?;
    let input = RegisterInput {
        username: args.username,
        display_name: args.display_name,
        password,
        email: args.email,
    };
    let created = app.auth.create_account(input).await;
    store.close().await;
    let user = created.map_err(|e| StartupError::Config(format!("cannot create the user: {e}")))?;
    eprintln!("created user {} ({})", user.username.as_str(), user.id);
    Ok(())
}

/// Prints a new service token on standard output (and what it is on standard error), signed
/// with the instance's signing secret, so every node accepts it.
async fn service_token(config: &Config, args: ServiceTokenArgs) -> Result<(), StartupError> {
    let store = hearth_server::open_store(config).await?;
    let realtime = hearth_realtime::InProcess::new(Default::default());
    let secret = hearth_server::signing_secret(config, &store).await?;
    let app = hearth_server::build_app(config, store.clone(), secret, realtime.ports.clone())?;
    let ttl = std::time::Duration::from_secs(args.ttl_days.saturating_mul(86_400));
    let issued = app.auth.issue_service_token(&args.name, ttl);
    store.close().await;
    let token =
        issued.map_err(|e| StartupError::Config(format!("cannot make the service token: {e}")))?;
    let mut out = std::io::stdout().lock();
    out.write_all(token.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| StartupError::Config(format!("cannot write the token: {e}")))?;
    eprintln!(
        "service token for {:?}, valid {} day(s); give it as `authorization: Bearer <token>`",
        args.name.trim(),
        args.ttl_days
    );
    Ok(())
}
