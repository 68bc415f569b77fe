//! Embeds the built web client (`web/dist`, made by `npm run build` in `web/`) into the crate.
//!
//! It writes `$OUT_DIR/embedded.rs`: one `(path, include_bytes!(…), gzipped)` row per file, so
//! the assets are part of the binary in debug and release builds alike, and cargo recompiles
//! the crate when a file changes. Text files worth it are gzipped here, once, into `$OUT_DIR`,
//! so that the server sends them compressed without compressing at run time. Without a `web/dist/index.html` (a machine without Node, or a
//! clone where the client was never built) the table is empty and the server answers `/` with
//! a page that says how to build the client. `HEARTH_WEB_DIST` names another directory.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// Extensions of files that compress well (text); images and fonts are compressed already.
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "css",
    "svg",
    "json",
    "webmanifest",
    "txt",
    "map",
];
/// Smaller files gain nothing that is worth a second copy.
const MIN_GZIP_BYTES: usize = 1024;

fn main() {
    println!("cargo:rerun-if-env-changed=HEARTH_WEB_DIST");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // crates/hearth-web → the repository root.
    let root = manifest.ancestors().nth(2).unwrap_or(&manifest);
    let web = root.join("web");
    let chosen = std::env::var_os("HEARTH_WEB_DIST").map(PathBuf::from);
    let dist = chosen.clone().unwrap_or_else(|| web.join("dist"));

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        // A directory is scanned as a whole: a new or changed asset reruns this script.
        println!("cargo:rerun-if-changed={}", dist.display());
        collect(&dist, &dist, &mut files);
        files.sort();
    } else if chosen.is_some() {
        // The caller chose a directory without a client (e.g. lints that must not read a
        // web/dist being rebuilt): no client, and nothing to warn about.
        println!("cargo:rerun-if-changed={}", dist.display());
    } else {
        // Watch what `npm run build` will create: `web/` (whose dist/ appears) when it exists.
        let watched = if web.is_dir() { &web } else { &dist };
        println!("cargo:rerun-if-changed={}", watched.display());
        println!(
            "cargo:warning=no web client in {} (the server will say at / how to build it: \
             cd web && npm ci && npm run build)",
            dist.display()
        );
    }

    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let mut code = String::from(
        "/// Every file of the built client: path below dist/, bytes, gzipped bytes if any.\n",
    );
    code.push_str("pub(crate) static EMBEDDED: &[super::EmbeddedFile] = &[\n");
    for (index, (relative, absolute)) in files.iter().enumerate() {
        let gzipped = match gzip(Path::new(absolute), &out.join(format!("{index}.gz"))) {
            Some(path) => format!("Some(include_bytes!({:?}))", path.display().to_string()),
            None => "None".to_owned(),
        };
        let _ = writeln!(
            code,
            "    ({relative:?}, include_bytes!({absolute:?}), {gzipped}),"
        );
    }
    code.push_str("];\n");
    if let Err(err) = std::fs::write(out.join("embedded.rs"), code) {
        panic!("cannot write embedded.rs: {err}");
    }
}

/// Every regular, non-hidden file below `dir`, as (path relative to `root` with `/`, absolute).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if let (Ok(relative), Ok(absolute)) =
            (path.strip_prefix(root), std::fs::canonicalize(&path))
        {
            let relative: Vec<_> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push((relative.join("/"), absolute.to_string_lossy().into_owned()));
        }
    }
}

/// Gzips `source` into `target` when it is text of some size and gets smaller; the target.
fn gzip(source: &Path, target: &Path) -> Option<PathBuf> {
    let extension = source.extension()?.to_str()?.to_ascii_lowercase();
    if !COMPRESSIBLE.contains(&extension.as_str()) {
        return None;
    }
    let bytes = std::fs::read(source).ok()?;
    if bytes.len() < MIN_GZIP_BYTES {
        return None;
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&bytes).ok()?;
    let compressed = encoder.finish().ok()?;
    if compressed.len() >= bytes.len() {
        return None;
    }
    std::fs::write(target, compressed).ok()?;
    Some(target.to_owned())
}
