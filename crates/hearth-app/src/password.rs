//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory on purpose, so it runs on a
//! small dedicated pool of [`THREADS`] threads, never on the async workers: a burst of logins
//! queues here instead of taking a core and 19 MiB each. Dedicated threads also bound memory:
//! glibc gives each thread its own arena and keeps a freed 19 MiB block in it for reuse, so
//! hashing on tokio's (up to 512) blocking threads left one block behind per thread — over a
//! gigabyte of resident memory after a burst of registrations — where this pool keeps at most
//! one per pool thread.

use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hearth_domain::Password;

use crate::AppError;

/// Threads that compute password hashes, process-wide: at most this many hashes at once.
pub(crate) const THREADS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// The pool's queue, started on first use (`Err`: its threads could not be started).
fn pool() -> &'static Result<mpsc::Sender<Job>, String> {
    static POOL: OnceLock<Result<mpsc::Sender<Job>, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        for n in 0..THREADS {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("hearth-argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|err| format!("cannot start the password hashing threads: {err}"))?;
        }
        Ok(jobs)
    })
}

/// Runs `work` on the hashing pool and waits for its answer.
async fn on_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let jobs = pool()
        .as_ref()
        .map_err(|why| AppError::internal(PoolError(why.clone())))?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        // The caller may have gone away; the hash is simply dropped.
        let _ = answer.send(work());
    }))
    .map_err(|_| {
        AppError::internal(PoolError("the password hashing threads stopped".to_owned()))
    })?;
    answered.await.map_err(AppError::internal)
}

/// The hashing pool cannot serve.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct PoolError(String);

/// Hashes a new password into a PHC string.
pub(crate) async fn hash(password: Password) -> Result<String, AppError> {
    on_pool(move || {
        Argon2::default()
            .hash_password(password.expose())
            .map(|h| h.to_string())
    })
    .await?
    .map_err(AppError::internal)
}

/// Whether `password` matches `phc`. A malformed stored hash counts as no match.
pub(crate) async fn verify(password: String, phc: String) -> Result<bool, AppError> {
    on_pool(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok()
    })
    .await
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
