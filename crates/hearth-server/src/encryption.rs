//! Encryption at rest, as configured: the `[encryption]` section, the operator's master key
//! (from the configuration, a 0600 file, or one made in the data directory on the first
//! start with encryption on), and the data keys it opens at start (see docs/encryption.md).
//!
//! This module never logs, prints or puts in an error any key material: errors name files and
//! settings only.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hearth_seal::{Keyring, MasterKey};
use hearth_store::DynStore;
use serde::Deserialize;

use crate::{Config, StartupError};

/// The master key's file in the data directory, when encryption is on and no key is given.
const DEFAULT_KEY_FILE: &str = "master.key";

/// The `[encryption]` section.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncryptionConfig {
    /// Seal what is stored from now on: files (and their thumbnails, profile pictures) in the
    /// blob store (default `false`).
    pub enabled: bool,
    /// The master key, 32 bytes in base64 (`HEARTH_ENCRYPTION__MASTER_KEY`); prefer
    /// `master_key_file`. Neither given: `<data>/master.key`, made on the first start.
    pub master_key: Option<String>,
    /// A file holding the master key in base64, readable by its owner only (mode 0600).
    pub master_key_file: Option<PathBuf>,
    /// Refuse to serve a stored file that is not sealed (default `false`): set it once
    /// `hearth admin rotate-key` has sealed every file, so that a plain file slipped into the
    /// bucket is never served as one of Hearth's.
    pub refuse_unsealed_files: bool,
}

impl fmt::Debug for EncryptionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionConfig")
            .field("enabled", &self.enabled)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("master_key_file", &self.master_key_file)
            .field("refuse_unsealed_files", &self.refuse_unsealed_files)
            .finish()
    }
}

impl EncryptionConfig {
    /// Checks what can be checked before the database opens.
    pub fn check(&self) -> Result<(), StartupError> {
        if self.master_key.is_some() && self.master_key_file.is_some() {
            return Err(StartupError::Config(
                "give encryption.master_key or encryption.master_key_file, not both".to_owned(),
            ));
        }
        if self.refuse_unsealed_files && !self.enabled {
            return Err(StartupError::Config(
                "encryption.refuse_unsealed_files needs encryption.enabled".to_owned(),
            ));
        }
        if let Some(key) = &self.master_key {
            MasterKey::parse(key)
                .map_err(|e| StartupError::Config(format!("encryption.master_key: {e}")))?;
        }
        Ok(())
    }
}

/// What encryption at rest opened at start.
#[derive(Clone, Debug)]
pub struct Encryption {
    /// The operator's master key (it unwraps data keys other processes make).
    pub master: Arc<MasterKey>,
    /// The data keys.
    pub keys: Arc<Keyring>,
    /// Whether new data is sealed (`encryption.enabled`); when off, what was sealed before
    /// still opens.
    pub seal_new: bool,
    /// Whether a stored file that is not sealed is refused (`encryption.refuse_unsealed_files`).
    pub refuse_unsealed: bool,
}

/// The data keys, when encryption is on or was on for this database (then what was sealed
/// must stay readable); `None` when it never was.
pub async fn open(config: &Config, store: &DynStore) -> Result<Option<Encryption>, StartupError> {
    let settings = &config.encryption;
    let had_keys = hearth_app::data_keys::has_data_keys(store)
        .await
        .map_err(|e| StartupError::Config(format!("cannot read the data keys: {e}")))?;
    if !settings.enabled && !had_keys {
        return Ok(None);
    }
    let master = match master_key(config)? {
        Some(master) => master,
        None => {
            return Err(StartupError::Config(
                "this database holds data sealed by encryption at rest: give its master key \
                 with encryption.master_key_file (or encryption.master_key)"
                    .to_owned(),
            ));
        }
    };
    let keys = hearth_app::data_keys::open_keyring(store, &master)
        .await
        .map_err(|e| StartupError::Config(format!("encryption at rest: {e}")))?;
    Ok(Some(Encryption {
        master: Arc::new(master),
        keys: Arc::new(keys),
        seal_new: settings.enabled,
        refuse_unsealed: settings.refuse_unsealed_files,
    }))
}

/// The master key: the configured one, the configured file's, or (encryption on, neither
/// given) `<data>/master.key`'s, made now if there is none. `None` when encryption is off and
/// no key is given.
fn master_key(config: &Config) -> Result<Option<MasterKey>, StartupError> {
    let settings = &config.encryption;
    if let Some(text) = &settings.master_key {
        return MasterKey::parse(text)
            .map(Some)
            .map_err(|e| StartupError::Config(format!("encryption.master_key: {e}")));
    }
    if let Some(path) = &settings.master_key_file {
        return read_key_file(path).map(Some);
    }
    let path = config.data_dir.join(DEFAULT_KEY_FILE);
    match (path.exists(), settings.enabled) {
        (true, _) => read_key_file(&path).map(Some),
        (false, true) => make_key_file(&path).map(Some),
        (false, false) => Ok(None),
    }
}

/// The key in `path`, which only its owner may read.
fn read_key_file(path: &Path) -> Result<MasterKey, StartupError> {
    let fail = |why: String| {
        StartupError::Config(format!(
            "encryption master key file {}: {why}",
            path.display()
        ))
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(fail(format!(
                "others may read it (mode {mode:o}); allow its owner only: chmod 600 {}",
                path.display()
            )));
        }
    }
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?);
    MasterKey::parse(&text).map_err(|e| fail(e.to_string()))
}

/// A new master key in a new file `path`, readable by its owner only.
fn make_key_file(path: &Path) -> Result<MasterKey, StartupError> {
    let fail = |why: String| {
        StartupError::Config(format!(
            "cannot make the master key file {}: {why}",
            path.display()
        ))
    };
    let (key, text) = MasterKey::generate().map_err(|e| fail(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        ErrorKind::AlreadyExists => fail("it appeared meanwhile; start again".to_owned()),
        _ => fail(e.to_string()),
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(|e| fail(e.to_string()))?;
    tracing::warn!(
        path = %path.display(),
        "encryption at rest: made a master key; keep a copy away from this disk — without it \
         nothing sealed can be read, and beside the data it protects nothing from whoever has the disk"
    );
    Ok(key)
}
