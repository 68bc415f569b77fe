//! The access-token signing secret: from the configuration if given, otherwise generated once
//! into `<data>/secret.key` (mode 0600) and reused on every start, so tokens survive restarts.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hearth_app::JwtSecret;

use crate::{Config, StartupError};

const FILE: &str = "secret.key";

pub(crate) fn load_or_create(config: &Config) -> Result<JwtSecret, StartupError> {
    if let Some(configured) = &config.auth.jwt_secret {
        return JwtSecret::new(configured.as_bytes().to_vec()).ok_or_else(|| {
            StartupError::Config(format!(
                "auth.jwt_secret must be at least {} bytes",
                JwtSecret::MIN_LEN
            ))
        });
    }
    let path = config.data_dir.join(FILE);
    let fail = |source| StartupError::Secret {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|e| fail(std::io::Error::new(ErrorKind::InvalidData, e)))?;
            JwtSecret::new(bytes).ok_or_else(|| {
                fail(std::io::Error::new(
                    ErrorKind::InvalidData,
                    "the key is too short",
                ))
            })
        }
        Err(err) if err.kind() == ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 64];
            getrandom::fill(&mut bytes).map_err(|e| fail(std::io::Error::other(e)))?;
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(fail)?;
            file.write_all(STANDARD.encode(&bytes).as_bytes())
                .map_err(fail)?;
            file.sync_all().map_err(fail)?;
            tracing::info!(path = %path.display(), "generated a new signing secret");
            JwtSecret::new(bytes)
                .ok_or_else(|| fail(std::io::Error::other("generated key too short")))
        }
        Err(err) => Err(fail(err)),
    }
}
