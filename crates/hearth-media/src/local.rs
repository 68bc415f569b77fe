//! The local blob store: one file per blob under `<data>/media`, the embedded default.
//!
//! A put streams into a temporary file in `<root>/.partial/` and renames it into place when
//! the body ended well, so a blob is either whole or absent and a failed upload leaves
//! nothing. Keys are [`BlobKey`]s (no `..`, no absolute paths), so a key never names a file
//! outside the root. It cannot presign: Hearth serves such transfers itself with its own
//! signed URLs.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use hearth_app::blobs::{BlobError, BlobKey, BlobMeta, BlobStore, ByteStream, Presign};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

/// Blobs as files under one folder.
#[derive(Debug)]
pub struct LocalBlobs {
    root: PathBuf,
}

/// The size of the chunks a download is read in.
const READ_CHUNK: usize = 64 * 1024;

fn io_error(err: std::io::Error) -> BlobError {
    match err.kind() {
        std::io::ErrorKind::NotFound => BlobError::NotFound,
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            BlobError::Unavailable(err.to_string())
        }
        _ => BlobError::backend(err),
    }
}

impl LocalBlobs {
    /// A store under `root`, creating it (and its partial-uploads folder) if needed.
    pub async fn open(root: &Path) -> Result<Self, std::io::Error> {
        tokio::fs::create_dir_all(root.join(".partial")).await?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    /// Writes `body` to `partial`; the bytes written.
    async fn write(partial: &Path, mut body: ByteStream) -> Result<u64, BlobError> {
        let mut file = tokio::fs::File::create(partial).await.map_err(io_error)?;
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(io_error)?;
            written += chunk.len() as u64;
        }
        file.sync_all().await.map_err(io_error)?;
        Ok(written)
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobs {
    fn backend(&self) -> &'static str {
        "local"
    }

    #[tracing::instrument(skip(self, body), fields(key = %key))]
    async fn put(&self, key: &BlobKey, body: ByteStream) -> Result<u64, BlobError> {
        let partial = self
            .root
            .join(".partial")
            .join(uuid::Uuid::now_v7().to_string());
        let written = match Self::write(&partial, body).await {
            Ok(written) => written,
            Err(err) => {
                if let Err(cleanup) = tokio::fs::remove_file(&partial).await {
                    tracing::debug!(cause = %cleanup, "no partial upload to remove");
                }
                return Err(err);
            }
        };
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        tokio::fs::rename(&partial, &path).await.map_err(io_error)?;
        Ok(written)
    }

    async fn get(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<ByteStream, BlobError> {
        let mut file = tokio::fs::File::open(self.path(key))
            .await
            .map_err(io_error)?;
        let reader: Box<dyn tokio::io::AsyncRead + Send + Unpin> = match range {
            Some(range) => {
                file.seek(SeekFrom::Start(range.start))
                    .await
                    .map_err(io_error)?;
                Box::new(file.take(range.end.saturating_sub(range.start)))
            }
            None => Box::new(file),
        };
        Ok(Box::pin(
            ReaderStream::with_capacity(reader, READ_CHUNK).map_err(io_error),
        ))
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let meta = tokio::fs::metadata(self.path(key))
            .await
            .map_err(io_error)?;
        if !meta.is_file() {
            return Err(BlobError::NotFound);
        }
        Ok(BlobMeta { size: meta.len() })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(io_error(err)),
        }
    }

    async fn list(&self) -> Result<Vec<BlobKey>, BlobError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || keys_under(&root, &root))
            .await
            .map_err(BlobError::backend)?
            .map_err(io_error)
    }

    async fn presign(
        &self,
        _: Presign,
        _: &BlobKey,
        _: Duration,
    ) -> Result<Option<String>, BlobError> {
        Ok(None)
    }
}

/// The keys of the files under `dir` (relative to `root`), the partial uploads left out.
fn keys_under(root: &Path, dir: &Path) -> Result<Vec<BlobKey>, std::io::Error> {
    let mut keys = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path == root.join(".partial") {
            continue;
        }
        if path.is_dir() {
            keys.extend(keys_under(root, &path)?);
        } else if let Some(key) = path
            .strip_prefix(root)
            .ok()
            .and_then(Path::to_str)
            .and_then(BlobKey::new)
        {
            keys.push(key);
        }
    }
    Ok(keys)
}
