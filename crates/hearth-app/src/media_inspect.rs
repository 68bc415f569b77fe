//! What an upload's bytes are, learnt while they stream past: how many there are (refusing
//! the first byte over the limit) and their first few KiB, from which the content type is
//! sniffed (magic bytes; never the client's claim).

use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

use crate::blobs::{BlobError, ByteStream};

/// How many leading bytes the sniffer looks at.
pub(crate) const SNIFF_BYTES: usize = 8 * 1024;

/// What an [`Inspected`] stream saw.
#[derive(Debug, Default)]
pub(crate) struct Inspection {
    /// Bytes seen so far.
    pub(crate) bytes: u64,
    /// The first [`SNIFF_BYTES`] of them.
    pub(crate) head: Vec<u8>,
    /// Whether the stream was cut off because it went over its limit.
    pub(crate) over_limit: bool,
}

/// Shared view of an inspection: the stream writes it, the use case reads it after the put.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inspector(Arc<Mutex<Inspection>>);

impl Inspector {
    /// Wraps `body` so that it is counted and its head kept, failing it as soon as it goes
    /// over `limit` bytes.
    pub(crate) fn wrap(&self, body: ByteStream, limit: u64) -> ByteStream {
        Box::pin(Inspected {
            inner: body,
            limit,
            seen: self.clone(),
            done: false,
        })
    }

    /// Runs `read` on what was seen.
    pub(crate) fn with<T>(&self, read: impl FnOnce(&Inspection) -> T) -> T {
        read(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct Inspected {
    inner: ByteStream,
    limit: u64,
    seen: Inspector,
    done: bool,
}

impl Stream for Inspected {
    type Item = Result<Bytes, BlobError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let polled = self.inner.as_mut().poll_next(cx);
        let Poll::Ready(Some(Ok(chunk))) = polled else {
            return polled;
        };
        let limit = self.limit;
        let mut seen = self.seen.0.lock().unwrap_or_else(PoisonError::into_inner);
        seen.bytes = seen.bytes.saturating_add(chunk.len() as u64);
        if seen.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - seen.head.len()).min(chunk.len());
            seen.head
                .extend_from_slice(chunk.get(..take).unwrap_or_default());
        }
        if seen.bytes > limit {
            seen.over_limit = true;
            drop(seen);
            self.done = true;
            return Poll::Ready(Some(Err(BlobError::Body(format!(
                "the upload is larger than {limit} bytes"
            )))));
        }
        Poll::Ready(Some(Ok(chunk)))
    }
}

/// The content type of a file whose first bytes are `head`, from its magic bytes: `infer`'s
/// table, then text (valid UTF-8 without NUL) as `text/plain`, else
/// `application/octet-stream`.
pub(crate) fn sniff(head: &[u8]) -> String {
    if let Some(found) = infer::get(head) {
        return found.mime_type().to_owned();
    }
    if looks_like_html(head) {
        return "text/html".to_owned();
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => Some(text),
        // The head may end inside a character.
        Err(err) if err.error_len().is_none() => head
            .get(..err.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok()),
        Err(_) => None,
    };
    match text {
        Some(text) if !head.is_empty() && !text.contains('\0') => "text/plain".to_owned(),
        _ => "application/octet-stream".to_owned(),
    }
}

/// Whether the head starts (after whitespace) like an HTML or XML document, as browsers'
/// own sniffers would decide.
fn looks_like_html(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|at| head.get(at..at + 14.min(head.len() - at)))
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<svg",
        b"<?xml",
    ]
    .iter()
    .any(|tag| start.starts_with(tag))
}

/// Whether a type may be allowed by one of `patterns` (`type/subtype`, `type/*` or `*/*`).
pub(crate) fn allowed(content_type: &str, patterns: &[String]) -> bool {
    let major = content_type.split('/').next().unwrap_or_default();
    patterns.iter().any(|pattern| {
        pattern == "*/*"
            || pattern == content_type
            || pattern
                .strip_suffix("/*")
                .is_some_and(|prefix| prefix == major)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[test]
    fn sniffing_reads_magic_bytes_not_names() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), "image/jpeg");
        assert_eq!(sniff(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff(b"  <!DOCTYPE html><script>x</script>"), "text/html");
        assert_eq!(
            sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "text/html"
        );
        assert_eq!(sniff("hello wörld".as_bytes()), "text/plain");
        assert_eq!(sniff(b"\0\x01\x02\x03"), "application/octet-stream");
        assert_eq!(sniff(b""), "application/octet-stream");
    }

    #[test]
    fn patterns_match_exact_major_and_any() {
        let patterns = vec!["image/*".to_owned(), "application/pdf".to_owned()];
        assert!(allowed("image/png", &patterns));
        assert!(allowed("application/pdf", &patterns));
        assert!(!allowed("text/html", &patterns));
        assert!(allowed("text/html", &["*/*".to_owned()]));
    }
}
