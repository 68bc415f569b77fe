//! Hearth's blob stores and the `[media]` configuration that chooses one.
//!
//! Two adapters of `hearth_app::blobs::BlobStore`: [`LocalBlobs`], files under
//! `<data>/media` (the default: nothing to configure), and [`S3Blobs`], an S3-compatible
//! bucket through `object_store` (endpoint, bucket, region, credentials, path-style); and
//! [`SealedBlobs`], which keeps either one's blobs encrypted at rest. The
//! crate holds no rule about who may upload or download what: the use cases in `hearth-app`
//! do. It must never log a credential.

mod local;
mod raster;
mod s3;
mod sealed;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hearth_app::MediaSettings;
use hearth_app::blobs::BlobStore;
use serde::Deserialize;

pub use local::LocalBlobs;
pub use raster::{MAX_DECODE_BYTES, MAX_SIDE, RasterImages};
pub use s3::S3Blobs;
pub use sealed::{Resealed, SealedBlobs};

/// Which blob store keeps the files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Files under `<data>/media` (default).
    #[default]
    Local,
    /// An S3-compatible bucket (`[media.s3]`).
    S3,
}

/// The `[media]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// `local` (default) or `s3`.
    pub backend: Backend,
    /// Largest file accepted, in bytes (default 100 MiB).
    pub max_upload_bytes: u64,
    /// Content types accepted, as sniffed from the bytes: `type/subtype`, `type/*` or `*/*`
    /// (default `["*/*"]`: any file, as in other messengers; images are shown inline only if
    /// they are JPEG, PNG, GIF or WebP).
    pub allowed_types: Vec<String>,
    /// How long a presigned upload URL works, in seconds (default 900).
    pub upload_url_ttl_secs: u64,
    /// How long a presigned download URL (S3) works, in seconds (default 300).
    pub download_url_ttl_secs: u64,
    /// How long an upload may stay unconfirmed before it is deleted, in seconds (default
    /// 3600; at least `upload_url_ttl_secs`).
    pub pending_ttl_secs: u64,
    /// How often the sweeper deletes expired unconfirmed uploads, in seconds (default 60).
    pub sweep_interval_secs: u64,
    /// The bucket, when `backend = "s3"`.
    pub s3: Option<S3Config>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        let settings = MediaSettings::default();
        Self {
            backend: Backend::Local,
            max_upload_bytes: settings.max_upload_bytes,
            allowed_types: settings.allowed_types,
            upload_url_ttl_secs: settings.upload_url_ttl.as_secs(),
            download_url_ttl_secs: settings.download_url_ttl.as_secs(),
            pending_ttl_secs: settings.pending_ttl.as_secs(),
            sweep_interval_secs: 60,
            s3: None,
        }
    }
}

/// A secret from the configuration: redacted in `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the client that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The `[media.s3]` section: an S3-compatible bucket.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The service's address, e.g. `https://s3.eu-central-1.amazonaws.com` or
    /// `http://127.0.0.1:9000` (plain HTTP is allowed only when the address says so).
    pub endpoint: String,
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region (default `us-east-1`).
    #[serde(default = "default_region")]
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// Path-style requests (`endpoint/bucket/key`, default `true`, what MinIO, Garage and
    /// s3s need); `false` for virtual-hosted style (`bucket.endpoint/key`).
    #[serde(default = "default_true")]
    pub path_style: bool,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_true() -> bool {
    true
}

/// A `[media]` setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum MediaConfigError {
    /// A value is out of range or malformed; the message names the key.
    #[error("{0}")]
    Invalid(String),
    /// The blob store cannot be opened.
    #[error("media: cannot open the blob store at {place}: {cause}")]
    Open {
        /// The folder or bucket.
        place: String,
        /// Why.
        cause: String,
    },
}

impl MediaConfig {
    /// Checks ranges and formats, naming the key at fault.
    pub fn validate(&self) -> Result<(), MediaConfigError> {
        let bad = |msg: &str| Err(MediaConfigError::Invalid(msg.to_owned()));
        if self.max_upload_bytes == 0 || self.max_upload_bytes > hearth_app::MAX_UPLOAD_BYTES {
            return bad("media.max_upload_bytes must be 1 to 5 TiB");
        }
        if self.allowed_types.is_empty() {
            return bad("media.allowed_types must name at least one type (\"*/*\" for any)");
        }
        for pattern in &self.allowed_types {
            let parts: Vec<&str> = pattern.split('/').collect();
            let fine = matches!(parts.as_slice(), [major, minor]
                if !major.is_empty() && !minor.is_empty()
                    && (*major != "*" || *minor == "*")
                    && pattern.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/*.+-".contains(&b)));
            if !fine {
                return Err(MediaConfigError::Invalid(format!(
                    "media.allowed_types: {pattern:?} is not type/subtype, type/* or */*"
                )));
            }
        }
        if !(1..=7 * 24 * 3600).contains(&self.upload_url_ttl_secs) {
            return bad("media.upload_url_ttl_secs must be 1–604800");
        }
        if !(1..=7 * 24 * 3600).contains(&self.download_url_ttl_secs) {
            return bad("media.download_url_ttl_secs must be 1–604800");
        }
        if self.pending_ttl_secs < self.upload_url_ttl_secs
            || self.pending_ttl_secs > 30 * 24 * 3600
        {
            return bad(
                "media.pending_ttl_secs must be at least media.upload_url_ttl_secs and at most 2592000",
            );
        }
        if !(1..=24 * 3600).contains(&self.sweep_interval_secs) {
            return bad("media.sweep_interval_secs must be 1–86400");
        }
        match (self.backend, &self.s3) {
            (Backend::S3, None) => bad("media.backend = \"s3\" needs a [media.s3] section"),
            (Backend::S3, Some(s3)) => {
                if !(s3.endpoint.starts_with("http://") || s3.endpoint.starts_with("https://")) {
                    return bad("media.s3.endpoint must start with http:// or https://");
                }
                if s3.bucket.is_empty()
                    || s3.access_key_id.is_empty()
                    || s3.secret_access_key.0.is_empty()
                {
                    return bad(
                        "media.s3.bucket, access_key_id and secret_access_key must not be empty",
                    );
                }
                Ok(())
            }
            (Backend::Local, _) => Ok(()),
        }
    }

    /// The use cases' share.
    pub fn settings(&self) -> MediaSettings {
        MediaSettings {
            max_upload_bytes: self.max_upload_bytes,
            allowed_types: self.allowed_types.clone(),
            upload_url_ttl: Duration::from_secs(self.upload_url_ttl_secs),
            download_url_ttl: Duration::from_secs(self.download_url_ttl_secs),
            pending_ttl: Duration::from_secs(self.pending_ttl_secs),
        }
    }

    /// How often the sweeper runs.
    pub fn sweep_interval(&self) -> Duration {
        Duration::from_secs(self.sweep_interval_secs)
    }

    /// Opens the configured blob store (`<data_dir>/media` for the local one).
    pub async fn open(&self, data_dir: &Path) -> Result<Arc<dyn BlobStore>, MediaConfigError> {
        match (self.backend, &self.s3) {
            (Backend::S3, Some(s3)) => {
                let blobs = S3Blobs::new(s3).map_err(|err| MediaConfigError::Open {
                    place: format!("{}/{}", s3.endpoint, s3.bucket),
                    cause: err.to_string(),
                })?;
                tracing::info!(endpoint = %s3.endpoint, bucket = %s3.bucket, "media: S3 bucket");
                Ok(Arc::new(blobs))
            }
            (Backend::S3, None) => Err(MediaConfigError::Invalid(
                "media.backend = \"s3\" needs a [media.s3] section".to_owned(),
            )),
            (Backend::Local, _) => {
                let root = data_dir.join("media");
                let blobs =
                    LocalBlobs::open(&root)
                        .await
                        .map_err(|err| MediaConfigError::Open {
                            place: root.display().to_string(),
                            cause: err.to_string(),
                        })?;
                Ok(Arc::new(blobs))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_local() {
        let config = MediaConfig::default();
        config.validate().unwrap();
        assert_eq!(config.backend, Backend::Local);
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut config = MediaConfig {
            allowed_types: vec!["image".to_owned()],
            ..MediaConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("media.allowed_types")
        );
        config.allowed_types = vec!["*/png".to_owned()];
        assert!(config.validate().is_err());
        config.allowed_types = vec!["image/*".to_owned()];
        config.backend = Backend::S3;
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("[media.s3]")
        );
    }

    #[test]
    fn the_secret_key_is_redacted() {
        let secret = Secret::new("very secret");
        assert_eq!(format!("{secret:?}"), "<redacted>");
    }
}
