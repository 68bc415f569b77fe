//! The `hearth` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Hearth: a self-hosted messenger. One binary; embedded SQLite by default.
#[derive(Debug, Parser)]
#[command(
    name = "hearth",
    version,
    about = "Hearth: a self-hosted messenger. One binary; embedded SQLite by default.",
    propagate_version = true
)]
pub struct Cli {
    /// A TOML configuration file (values in HEARTH_* variables and flags win over it).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data directory: database, media and generated secrets [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (REST /v1, docs at /docs, metrics at /metrics).
    Serve(ServeArgs),
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Copy a whole instance from its SQLite database into an empty PostgreSQL database
    /// (users, sessions, conversations, members, messages, reactions, markers, blocks, the
    /// log), verify it, and commit. Stop the server first.
    MigrateStore(MigrateStoreArgs),
    /// Administer accounts and the keys of encryption at rest.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the REST API's OpenAPI document (as served at /v1/openapi.json) and exit.
    Openapi,
}

/// `hearth serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// `hearth migrate-store`.
#[derive(Debug, Args)]
pub struct MigrateStoreArgs {
    /// The data directory (holding hearth.db) or the SQLite file to copy.
    #[arg(long, value_name = "DIR|FILE")]
    pub from: PathBuf,
    /// The PostgreSQL database to fill (it must be empty), as postgres://user@host:port/db.
    #[arg(long, value_name = "URL")]
    pub to: String,
}

/// `hearth admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account.
    CreateUser(CreateUserArgs),
    /// Set a user's password without the old one (for a user locked out); every session of
    /// theirs ends.
    ResetPassword(ResetPasswordArgs),
    /// List every account: username, id, e-mail, whether disabled, created.
    ListUsers,
    /// Disable an account: it can no longer sign in, and its sessions end.
    DisableUser(UsernameArgs),
    /// Enable a disabled account again.
    EnableUser(UsernameArgs),
    /// Make a new data key for encryption at rest and seal every stored file anew under it,
    /// showing progress (the servers keep serving). Needs encryption.enabled and the master
    /// key, as `hearth serve` does.
    RotateKey,
    /// Print a new service token: a credential for an internal caller of the gRPC face, which
    /// may act for any user it names (as that user: their memberships and permissions apply).
    ServiceToken(ServiceTokenArgs),
}

/// `hearth admin service-token`.
#[derive(Debug, Args)]
pub struct ServiceTokenArgs {
    /// The service's name, shown in logs: 1–64 of a-z 0-9 _ . -
    #[arg(long)]
    pub name: String,
    /// Days until the token expires (1–3650).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub ttl_days: u64,
}

/// `hearth admin create-user`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// Login name: 3–32 of a-z 0-9 _ . -
    #[arg(long)]
    pub username: String,
    /// Shown name [default: the username].
    #[arg(long)]
    pub display_name: Option<String>,
    /// The password.
    #[command(flatten)]
    pub password: PasswordArgs,
    /// E-mail address.
    #[arg(long)]
    pub email: Option<String>,
}

/// `hearth admin reset-password`.
#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    /// The account's login name.
    #[arg(long)]
    pub username: String,
    /// The password.
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// `hearth admin disable-user` / `enable-user`.
#[derive(Debug, Args)]
pub struct UsernameArgs {
    /// The account's login name.
    #[arg(long)]
    pub username: String,
}

/// Where an admin command reads a password from: standard input, `HEARTH_ADMIN_PASSWORD`, or a
/// flag (which shows in the process list).
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// The password (8–128 characters). Prefer --password-stdin or HEARTH_ADMIN_PASSWORD: a
    /// flag shows in the process list.
    #[arg(
        long,
        env = "HEARTH_ADMIN_PASSWORD",
        hide_env_values = true,
        conflicts_with = "password_stdin"
    )]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}
