//! `GET /v1/media/{media_id}/content`: a file's bytes, with the headers that keep it inert.
//!
//! Only JPEG, PNG, GIF and WebP are served inline, as their sniffed type. Everything else is
//! `Content-Disposition: attachment`, and a type a browser could run (HTML, XML, SVG, script)
//! is sent as `application/octet-stream`. Every answer has `X-Content-Type-Options: nosniff`
//! and a CSP of `default-src 'none'; sandbox`, so even a file opened directly cannot run
//! script in this origin. Single byte ranges are answered with 206; with a blob store that
//! presigns (S3) the answer is a redirect to a short-lived presigned GET, unless the caller asks
//! for the bytes (`redirect=false`: the web client, whose page may only fetch its own origin).

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use hearth_app::images::PictureBytes;
use hearth_app::{ByteRange, Download};
use hearth_domain::{MediaId, MediaKind, ThumbnailSize};
use hearth_proto::{ErrorCode, ErrorEnvelope};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::extract::{Auth, Query};
use crate::{ApiError, RestState};

/// The `{media_id}` of a path. A malformed id names nothing: 404.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MediaPath(pub MediaId);

impl<S: Send + Sync> FromRequestParts<S> for MediaPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "media not found"))?;
        raw.parse()
            .map(Self)
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "media not found"))
    }
}

/// The one range of a `Range: bytes=…` header; anything else (several ranges, other units,
/// nonsense) is ignored, and the whole file is sent.
fn range(headers: &HeaderMap) -> Option<ByteRange> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (false, false) => Some(ByteRange::Bounded(first.parse().ok()?, last.parse().ok()?)),
        (false, true) => Some(ByteRange::From(first.parse().ok()?)),
        (true, false) => Some(ByteRange::Suffix(last.parse().ok()?)),
        (true, true) => None,
    }
}

/// Types a browser could render as active content: never sent as themselves.
const ACTIVE_TYPES: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
];

/// `Content-Disposition` for a file name: an ASCII fallback and the exact name in RFC 5987.
fn disposition(kind: &str, file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// The headers that keep served bytes inert in this origin: no sniffing, and a sandboxed,
/// script-less document should a browser open them on their own.
pub(crate) fn keep_inert(out: &mut HeaderMap) {
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"),
    );
}

/// How a download may be answered.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct DownloadQuery {
    /// `false`: the bytes themselves, even when the blob store could hand out a presigned URL
    /// (for a browser page whose content security policy allows only this origin, or a client
    /// that cannot reach the bucket). Default `true`.
    redirect: Option<bool>,
}

/// Download a file you may see. Images (JPEG, PNG, GIF, WebP) are inline; everything else is
/// an attachment. `Range: bytes=a-b` (one range) answers 206. With S3 storage the answer is a
/// redirect (302) to a presigned URL that works for `media.download_url_ttl_secs`, unless
/// `redirect=false` asks for the bytes.
#[utoipa::path(get, path = "/v1/media/{media_id}/content", operation_id = "download_media", tag = "media",
    security(("bearer" = [])), params(("media_id" = String, Path, description = "Media id"), DownloadQuery),
    responses(
        (status = 200, description = "The whole file, typed as sniffed (a type a browser could run is `application/octet-stream`)", content_type = "*/*", body = Vec<u8>),
        (status = 206, description = "The range asked for, typed as the whole file", content_type = "*/*", body = Vec<u8>),
        (status = 302, description = "Fetch it from the presigned URL in `Location`"),
        (status = 416, description = "The range starts past the end of the file (`Content-Range: bytes */size`)"),
        (status = 404, description = "No such file you may see", body = ErrorEnvelope),
    ))]
pub(crate) async fn download(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MediaPath(id): MediaPath,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let redirect = query.redirect.unwrap_or(true);
    let answer = state
        .app
        .media
        .download(caller, id, range(&headers), redirect)
        .await?;
    let mut response = Response::new(Body::empty());
    let out = response.headers_mut();
    keep_inert(out);
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    let (media, range, partial, body) = match answer {
        Download::Unsatisfiable { size } => {
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{size}")),
            );
            return Ok(response);
        }
        Download::Redirect { url, .. } => {
            *response.status_mut() = StatusCode::FOUND;
            response
                .headers_mut()
                .insert(header::LOCATION, header_value(&url));
            return Ok(response);
        }
        Download::Bytes {
            media,
            range,
            partial,
            body,
        } => (media, range, partial, body),
    };
    let sniffed = media
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let (content_type, kind) = match media.kind() {
        MediaKind::Image => (sniffed, "inline"),
        MediaKind::Document if ACTIVE_TYPES.contains(&sniffed) => {
            ("application/octet-stream", "attachment")
        }
        MediaKind::Document => (sniffed, "attachment"),
    };
    let size = media.size.unwrap_or_default();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, header_value(content_type));
    out.insert(
        header::CONTENT_DISPOSITION,
        disposition(kind, media.file_name.as_str()),
    );
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(range.end - range.start),
    );
    if partial {
        out.insert(
            header::CONTENT_RANGE,
            header_value(&format!(
                "bytes {}-{}/{size}",
                range.start,
                range.end.saturating_sub(1)
            )),
        );
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    *response.body_mut() = Body::from_stream(body);
    Ok(response)
}

/// A thumbnail of an image you may see (`small`, `medium` or `large`, as listed in the
/// file's `thumbnails`). The bytes of a thumbnail never change: cache them.
#[utoipa::path(get, path = "/v1/media/{media_id}/thumbnails/{size}", operation_id = "get_media_thumbnail", tag = "media",
    security(("bearer" = [])),
    params(
        ("media_id" = String, Path, description = "Media id"),
        ("size" = String, Path, description = "`small`, `medium` or `large`"),
    ),
    responses(
        (status = 200, description = "The thumbnail (JPEG or PNG)", content_type = "image/jpeg", body = Vec<u8>),
        (status = 404, description = "No such file you may see, or no such thumbnail of it (yet)", body = ErrorEnvelope),
    ))]
pub(crate) async fn thumbnail(
    State(state): State<RestState>,
    Auth(caller): Auth,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let not_found = |what: &str| ApiError::new(ErrorCode::NotFound, format!("{what} not found"));
    let Path((id, size)) = path.map_err(|_| not_found("media"))?;
    let id: MediaId = id.parse().map_err(|_| not_found("media"))?;
    let size: ThumbnailSize = size.parse().map_err(|_| not_found("thumbnail"))?;
    let found = state.app.thumbnails.download(caller, id, size).await?;
    // A thumbnail of a file never changes: the file's id and the size name it for ever.
    Ok(picture_response(
        found,
        "private, max-age=31536000, immutable",
    ))
}

/// A picture the server rendered (a thumbnail, a profile picture), with `cache` as its
/// `Cache-Control` and the headers that keep it inert.
pub(crate) fn picture_response(picture: PictureBytes, cache: &'static str) -> Response {
    let mut response = Response::new(Body::from_stream(picture.body));
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(picture.format.content_type()),
    );
    if let Some(length) = picture.length {
        out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    keep_inert(out);
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_range(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, header_value(value));
        headers
    }

    #[test]
    fn one_byte_range_is_read_and_others_ignored() {
        assert_eq!(
            range(&with_range("bytes=0-99")),
            Some(ByteRange::Bounded(0, 99))
        );
        assert_eq!(range(&with_range("bytes=100-")), Some(ByteRange::From(100)));
        assert_eq!(range(&with_range("bytes=-5")), Some(ByteRange::Suffix(5)));
        assert_eq!(range(&with_range("bytes=0-1,5-6")), None);
        assert_eq!(range(&with_range("items=0-1")), None);
        assert_eq!(range(&with_range("bytes=x-1")), None);
        assert_eq!(range(&HeaderMap::new()), None);
    }

    #[test]
    fn names_are_quoted_safely() {
        let value = disposition("attachment", "naïve \"report\".pdf");
        assert_eq!(
            value.to_str().unwrap_or_default(),
            "attachment; filename=\"na_ve _report_.pdf\"; filename*=UTF-8''na%C3%AFve%20%22report%22.pdf"
        );
    }
}
