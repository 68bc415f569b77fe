//! A connection to Redis for requests a caller waits on (rate limits, presence): made on first
//! use, answered within [`TIMEOUT`] or not at all, and not tried again for [`REST`] after a
//! failure, so that an outage costs the caller nothing but the fallback it has.

use std::sync::Mutex as Latch;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

/// How long one request may take before the caller falls back.
pub(crate) const TIMEOUT: Duration = Duration::from_millis(500);
/// How long the caller falls back after a failure before Redis is asked again.
pub(crate) const REST: Duration = Duration::from_secs(1);

/// Why Redis gave no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unanswered {
    /// A failure a moment ago: not asked.
    #[error("resting after a failure")]
    Resting,
    /// No answer within the timeout.
    #[error("no answer in time")]
    Timeout,
    /// Redis answered with an error, or could not be reached.
    #[error("{0}")]
    Failed(#[from] redis::RedisError),
}

/// One lazily made, shared connection.
#[derive(Debug)]
pub(crate) struct Requests {
    client: redis::Client,
    /// Made once it can be; after that the manager reconnects by itself.
    held: OnceCell<ConnectionManager>,
    resting_until: Latch<Option<Instant>>,
}

impl Requests {
    pub(crate) fn new(client: redis::Client) -> Self {
        Self {
            client,
            held: OnceCell::new(),
            resting_until: Latch::new(None),
        }
    }

    /// Runs `request` on the connection within [`TIMEOUT`]; a failure rests the connection.
    pub(crate) async fn run<T, F, Fut>(&self, request: F) -> Result<T, Unanswered>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, redis::RedisError>>,
    {
        if self.resting() {
            return Err(Unanswered::Resting);
        }
        let answered = tokio::time::timeout(TIMEOUT, async {
            let connection = self.connection().await?;
            request(connection).await
        })
        .await;
        match answered {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                self.rest();
                Err(Unanswered::Failed(error))
            }
            Err(_) => {
                self.rest();
                Err(Unanswered::Timeout)
            }
        }
    }

    fn resting(&self) -> bool {
        let until = *self.resting_until.lock().unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    fn rest(&self) {
        *self.resting_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + REST);
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        // No retries of its own: a failure is answered at once, and `REST` paces the next try.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        self.held
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .cloned()
    }
}
