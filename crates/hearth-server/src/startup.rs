//! Start-up failures, each one line that says what is wrong and how to fix it.

use std::net::SocketAddr;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use hearth_store::StoreError;

/// Why the server could not start (or stopped serving).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// A configuration value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The data directory cannot be created or written.
    #[error(
        "cannot use data directory {}: {source}; create it with write permission or choose another with --data",
        path.display()
    )]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The signing secret cannot be read or written.
    #[error("cannot use the secret key file {}: {source}", path.display())]
    Secret {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The address cannot be listened on.
    #[error(
        "cannot listen on {address}: {source}; is another program using it? choose another address with --listen"
    )]
    Listen {
        /// The address.
        address: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database cannot be opened or migrated.
    #[error("cannot open the database {}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What the store reported.
        source: StoreError,
    },
    /// The PostgreSQL database cannot be reached, opened or migrated.
    #[error(
        "cannot open the PostgreSQL database {url}: {source}; is PostgreSQL running and is database.url (DATABASE_URL) right?"
    )]
    Postgres {
        /// The URL, without its password.
        url: String,
        /// What the store reported.
        source: hearth_store_postgres::OpenError,
    },
    /// `hearth migrate-store` failed; the target holds nothing of it.
    #[error("cannot migrate the store: {0}")]
    MigrateStore(#[from] crate::migrate_store::MigrateError),
    /// The HTTP server failed while serving.
    #[error("the server stopped with an error: {source}")]
    Serve {
        /// The OS error.
        source: std::io::Error,
    },
}

/// Creates the data directory if needed and proves it writable.
pub(crate) fn prepare_data_dir(path: &Path) -> Result<(), StartupError> {
    let fail = |source| StartupError::DataDir {
        path: path.to_owned(),
        source,
    };
    // The directory holds password hashes, messages and the signing secret: private to the
    // server's user when Hearth creates it.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(fail)?;
    let probe = path.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}
