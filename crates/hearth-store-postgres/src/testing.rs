//! A throwaway database for tests (feature `testing`): created with a unique name on the
//! server named by `HEARTH_TEST_POSTGRES_URL` (default: the local server as `postgres`),
//! dropped when the guard drops. Never used by the server itself.

use hearth_store::StoreError;
use tokio_postgres::NoTls;

/// The server tests use unless `HEARTH_TEST_POSTGRES_URL` names another.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The URL of the server tests create their databases on.
pub fn server_url() -> String {
    std::env::var("HEARTH_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A database that exists while this value lives.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    server: String,
    url: String,
}

/// Why a test database could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot create a test database on {server}: {source}")]
pub struct TestDatabaseError {
    server: String,
    #[source]
    source: tokio_postgres::Error,
}

async fn admin(server: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(server, NoTls).await?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(error = %err, "test database admin connection ended");
        }
    });
    Ok(client)
}

impl TestDatabase {
    /// Creates an empty database `hearth_test_<uuid>` on the test server ([`server_url`]).
    pub async fn create() -> Result<Self, TestDatabaseError> {
        Self::create_on(&server_url()).await
    }

    /// Creates an empty database `hearth_test_<uuid>` on the server `server` (a URL whose
    /// user may create databases), dropped with the value.
    pub async fn create_on(server: &str) -> Result<Self, TestDatabaseError> {
        let server = server.to_owned();
        let name = format!("hearth_test_{}", uuid::Uuid::now_v7().simple());
        let fail = |source| TestDatabaseError {
            server: server.clone(),
            source,
        };
        let client = admin(&server).await.map_err(fail)?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(fail)?;
        let url = database_url(&server, &name);
        Ok(Self { name, server, url })
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// `server` (a URL) with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    // The path starts at the first '/' after "scheme://authority".
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base
        .get(authority_start..)
        .and_then(|rest| rest.find('/'))
        .map_or(base.len(), |i| authority_start + i);
    let mut url = format!("{}/{name}", base.get(..path_start).unwrap_or(base));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside any runtime's async context: a thread with its own runtime.
        let server = self.server.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            runtime.block_on(async {
                let client = admin(&server)
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            tracing::warn!(database = %self.name, "could not drop a test database");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            database_url("postgres://h:5432", "t3"),
            "postgres://h:5432/t3"
        );
    }
}
