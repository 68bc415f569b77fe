//! The files of the web client held in memory: their bytes, content type, entity tag and
//! cache policy, looked up by request path.
//!
//! This module knows files and HTTP caching, nothing about routes or the API. It never reads
//! the disk after start: the embedded table is part of the binary, and a directory given in
//! the configuration is read once when the server starts.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::http::HeaderValue;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// One file as the build embeds it: path below the client's root, bytes, gzipped bytes if any.
pub(crate) type EmbeddedFile = (&'static str, &'static [u8], Option<&'static [u8]>);

/// Vite's output folder for content-hashed files: their names change with their content.
const HASHED_DIR: &str = "assets/";

/// How long a response may be reused without asking the server again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CachePolicy {
    /// A content-hashed asset: its name changes when it does, so it never needs revalidating.
    Immutable,
    /// Anything with a stable name (`index.html`, `sw.js`, the manifest, icons): always
    /// revalidated (cheaply, with its entity tag), so a new release is seen at once.
    Revalidate,
}

impl CachePolicy {
    /// The `Cache-Control` value.
    pub(crate) fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Immutable => "public, max-age=31536000, immutable",
            Self::Revalidate => "no-cache",
        })
    }
}

/// One way of sending a file: its bytes and the strong entity tag that names exactly them.
#[derive(Clone, Debug)]
pub(crate) struct Encoded {
    /// The bytes (borrowed from the binary when embedded).
    pub(crate) body: Bytes,
    /// A strong entity tag over these bytes.
    pub(crate) etag: HeaderValue,
}

impl Encoded {
    fn new(body: Bytes, suffix: &str) -> Self {
        let mut hasher = DefaultHasher::new();
        hasher.write(&body);
        let tag = format!("\"{:016x}-{:x}{suffix}\"", hasher.finish(), body.len());
        let etag =
            HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        Self { body, etag }
    }
}

/// One file of the client.
#[derive(Clone, Debug)]
pub(crate) struct Asset {
    /// The file as it is.
    pub(crate) identity: Encoded,
    /// The file gzipped (at build time), for browsers that accept it; text files only.
    pub(crate) gzip: Option<Encoded>,
    /// Its `Content-Type`.
    pub(crate) content_type: &'static str,
    /// How caches may keep it.
    pub(crate) cache: CachePolicy,
}

impl Asset {
    fn new(path: &str, body: Bytes, gzip: Option<Bytes>) -> Self {
        let cache = if path.starts_with(HASHED_DIR) {
            CachePolicy::Immutable
        } else {
            CachePolicy::Revalidate
        };
        Self {
            identity: Encoded::new(body, ""),
            // Another representation: another entity tag, or a cache could mix the two up.
            gzip: gzip.map(|body| Encoded::new(body, "-gz")),
            content_type: content_type(path),
            cache,
        }
    }
}

/// Why a client directory cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The directory or one of its files cannot be read.
    #[error("cannot read the web client at {path}: {source}")]
    Read {
        /// The directory or file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The directory is not a built client.
    #[error("{0} has no index.html: build the client there (cd web && npm ci && npm run build)")]
    NoIndex(PathBuf),
}

/// The client's files by path below its root (`index.html`, `assets/index-1a2b.js`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Assets {
    files: HashMap<String, Asset>,
}

impl Assets {
    /// The copy built into the binary (empty when the client was not built).
    pub(crate) fn embedded() -> Self {
        Self::of(embedded::EMBEDDED)
    }

    /// A client made of `files`: (path, bytes, gzipped bytes if any).
    pub(crate) fn of(files: &[EmbeddedFile]) -> Self {
        let files = files
            .iter()
            .map(|(path, body, gzip)| {
                let gzip = gzip.map(Bytes::from_static);
                let asset = Asset::new(path, Bytes::from_static(body), gzip);
                ((*path).to_owned(), asset)
            })
            .collect();
        Self { files }
    }

    /// Every file below `dir`, read now; `dir` must hold an `index.html`.
    pub(crate) fn read_dir(dir: &Path) -> Result<Self, LoadError> {
        let mut files = HashMap::new();
        read_into(dir, dir, &mut files)?;
        if !files.contains_key("index.html") {
            return Err(LoadError::NoIndex(dir.to_owned()));
        }
        Ok(Self { files })
    }

    /// The file at `path` (relative, `/`-separated), if the client has it.
    pub(crate) fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// Whether this is a built client (it has its `index.html`).
    pub(crate) fn is_built(&self) -> bool {
        self.files.contains_key("index.html")
    }
}

fn read_into(root: &Path, dir: &Path, files: &mut HashMap<String, Asset>) -> Result<(), LoadError> {
    let read_error = |path: &Path| {
        let path = path.to_owned();
        move |source| LoadError::Read { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(read_error(dir))? {
        let entry = entry.map_err(read_error(dir))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().map_err(read_error(&path))?.is_dir() {
            read_into(root, &path, files)?;
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let relative = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let body = std::fs::read(&path).map_err(read_error(&path))?;
        // Served as it is: a directory is for trying a build, not for serving many people.
        let asset = Asset::new(&relative, Bytes::from(body), None);
        files.insert(relative, asset);
    }
    Ok(())
}

/// The `Content-Type` for a file name, by extension. `nosniff` is on for every response, so a
/// wrong type would break the file in the browser: unknown kinds are plain bytes.
pub(crate) fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "avif" => "image/avif",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/index-1a2b.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/index-1a2b.CSS"),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("icons/icon-192.png"), "image/png");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn only_files_under_assets_are_immutable() {
        let asset = |path| Asset::new(path, Bytes::from_static(b"x"), None);
        assert_eq!(asset("assets/a-1.js").cache, CachePolicy::Immutable);
        assert_eq!(asset("sw.js").cache, CachePolicy::Revalidate);
        assert_eq!(asset("index.html").cache, CachePolicy::Revalidate);
    }

    #[test]
    fn the_entity_tag_changes_with_the_bytes_and_the_encoding() {
        let tag = |body| Encoded::new(Bytes::from_static(body), "").etag;
        assert_ne!(tag(b"one"), tag(b"two"));
        assert_eq!(tag(b"one"), tag(b"one"));
        assert_ne!(
            tag(b"one"),
            Encoded::new(Bytes::from_static(b"one"), "-gz").etag
        );
    }
}
