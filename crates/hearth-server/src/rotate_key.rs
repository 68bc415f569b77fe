//! `hearth admin rotate-key`: a new data key seals from now on, and every stored file is
//! sealed anew under it, with progress on standard error, while the servers keep serving.
//!
//! The new key is stored first; running servers learn it within `DATA_KEY_POLL` and seal with
//! it, so the command waits that long (twice, to be safe) before it re-seals, and then no new
//! file can be sealed under an older key behind its back. Each file is read, opened and
//! written back sealed under the same name (a local file is replaced by a rename, an S3
//! object by a whole PUT), so a reader sees either version. Files stored plain (before
//! encryption was on) are sealed too. Older keys stay in the database: nothing is lost if a
//! file could not be re-sealed, and running the command again finishes the job.

use std::time::{Duration, Instant};

use hearth_media::{Resealed, SealedBlobs};
use hearth_server::{Config, StartupError};

/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// `hearth admin rotate-key`.
pub(crate) async fn rotate_key(config: &Config) -> Result<(), StartupError> {
    if !config.encryption.enabled {
        return Err(StartupError::Config(
            "encryption at rest is off: turn it on (encryption.enabled) before rotating keys"
                .to_owned(),
        ));
    }
    let store = hearth_server::open_store(config).await?;
    let outcome = rotate(config, &store).await;
    store.close().await;
    outcome
}

async fn rotate(config: &Config, store: &hearth_store::DynStore) -> Result<(), StartupError> {
    let fail = |e: &dyn std::fmt::Display| StartupError::Config(format!("cannot rotate: {e}"));
    let Some(encryption) = hearth_server::encryption::open(config, store).await? else {
        return Err(fail(&"encryption at rest is off"));
    };
    let before = encryption.keys.current().id();
    let id = hearth_app::data_keys::add_data_key(store, &encryption.master, &encryption.keys)
        .await
        .map_err(|e| fail(&e))?;
    let wait = hearth_server::DATA_KEY_POLL * 2;
    eprintln!(
        "data key {id} made (it replaces key {before}); waiting {} s for running servers to seal with it",
        wait.as_secs()
    );
    tokio::time::sleep(wait).await;

    let inner = config
        .media
        .open(&config.data_dir)
        .await
        .map_err(|e| fail(&e))?;
    let blobs = SealedBlobs::new(inner, encryption.keys.clone(), true);
    let keys = hearth_app::blobs::BlobStore::list(&blobs)
        .await
        .map_err(|e| fail(&e))?;
    let total = keys.len();
    eprintln!("re-sealing {total} file(s) under key {id}");
    let mut tally = Tally::default();
    let mut reported = Instant::now();
    for key in &keys {
        match blobs.reseal(key).await {
            Ok(Resealed::Already) => tally.already += 1,
            Ok(Resealed::From(_) | Resealed::Plain) => tally.resealed += 1,
            Err(err) => {
                tally.failed += 1;
                tracing::warn!(key = %key, cause = %err, "a file could not be re-sealed");
            }
        }
        if reported.elapsed() >= PROGRESS_EVERY {
            eprintln!("{}", tally.line(total));
            reported = Instant::now();
        }
    }
    eprintln!("{}", tally.line(total));
    if tally.failed > 0 {
        return Err(fail(&format!(
            "{} file(s) could not be re-sealed (see the log); run the command again",
            tally.failed
        )));
    }
    eprintln!("done: every file is sealed under data key {id}");
    Ok(())
}

/// How far a rotation got.
#[derive(Debug, Default)]
struct Tally {
    resealed: usize,
    already: usize,
    failed: usize,
}

impl Tally {
    fn line(&self, total: usize) -> String {
        let done = self.resealed + self.already + self.failed;
        format!(
            "{done} of {total} file(s): {} re-sealed, {} already under the new key, {} failed",
            self.resealed, self.already, self.failed
        )
    }
}
