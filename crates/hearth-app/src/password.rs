//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory on purpose, so it runs on
//! the blocking pool and never stalls the async workers, and at most [`MAX_CONCURRENT`] hashes
//! run at once: a burst of logins queues here instead of taking a core and 19 MiB each.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hearth_domain::Password;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::AppError;

/// Most password hashes computed at the same time, process-wide.
pub(crate) const MAX_CONCURRENT: usize = 4;

/// Waits for a hashing slot.
async fn slot() -> Result<SemaphorePermit<'static>, AppError> {
    static SLOTS: Semaphore = Semaphore::const_new(MAX_CONCURRENT);
    SLOTS.acquire().await.map_err(AppError::internal)
}

/// Hashes a new password into a PHC string.
pub(crate) async fn hash(password: Password) -> Result<String, AppError> {
    let _slot = slot().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose())
            .map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// Whether `password` matches `phc`. A malformed stored hash counts as no match.
pub(crate) async fn verify(password: String, phc: String) -> Result<bool, AppError> {
    let _slot = slot().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok()
    })
    .await
    .map_err(AppError::internal)
}

/// A real hash of a random password, verified against when a login names no account, so that
/// the answer takes as long as for a real account and does not reveal which names exist.
pub(crate) async fn decoy_hash() -> Result<String, AppError> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(phc) = DECOY.get() {
        return Ok(phc.clone());
    }
    let random = crate::tokens::random_token()?;
    let phc = hash(Password::parse(&random).map_err(AppError::from)?).await?;
    Ok(DECOY.get_or_init(|| phc).clone())
}
