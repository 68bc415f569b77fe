//! The access-token signing secret: `auth.jwt_secret` when the configuration gives one,
//! otherwise the one kept in the database — created by the first start of the first node, read
//! by every later start and every other node, so a token issued by one node works on all of
//! them and survives restarts.
//!
//! A data directory from before the database kept the secret has it in `<data>/secret.key`;
//! that key is the one stored, so tokens issued before the upgrade stay valid. This module
//! never logs a secret.

use std::io::ErrorKind;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hearth_app::JwtSecret;
use hearth_store::DynStore;

use crate::{Config, StartupError};

/// Where a data directory from before kept its secret.
const LEGACY_FILE: &str = "secret.key";
/// The signing secret's name in the database's `secrets`.
pub const SIGNING_SECRET_NAME: &str = "access-token-signing";

/// The secret to sign access tokens with.
pub async fn signing_secret(config: &Config, store: &DynStore) -> Result<JwtSecret, StartupError> {
    if let Some(configured) = &config.auth.jwt_secret {
        return JwtSecret::new(configured.as_bytes().to_vec()).ok_or_else(|| {
            StartupError::Config(format!(
                "auth.jwt_secret must be at least {} bytes",
                JwtSecret::MIN_LEN
            ))
        });
    }
    let (candidate, from) = match legacy_key(config)? {
        Some(key) => (key, "the data directory's secret.key"),
        None => {
            let mut bytes = vec![0u8; 64];
            getrandom::fill(&mut bytes)
                .map_err(|e| StartupError::Config(format!("cannot generate a secret: {e}")))?;
            (bytes, "a new random key")
        }
    };
    let stored = store
        .secret_or_insert(SIGNING_SECRET_NAME, &candidate, hearth_app::now())
        .await
        .map_err(|e| StartupError::Config(format!("cannot read the signing secret: {e}")))?;
    if stored == candidate {
        tracing::info!(from, "the signing secret is the one the database keeps");
    }
    JwtSecret::new(stored).ok_or_else(|| {
        StartupError::Config("the database's signing secret is too short".to_owned())
    })
}

/// The key of `<data>/secret.key`, if the data directory has one.
fn legacy_key(config: &Config) -> Result<Option<Vec<u8>>, StartupError> {
    let path = config.data_dir.join(LEGACY_FILE);
    let fail = |source| StartupError::Secret {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|e| fail(std::io::Error::new(ErrorKind::InvalidData, e)))?;
            if bytes.len() < JwtSecret::MIN_LEN {
                return Err(fail(std::io::Error::new(
                    ErrorKind::InvalidData,
                    "the key is too short",
                )));
            }
            Ok(Some(bytes))
        }
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(fail(err)),
    }
}
