//! `/v1/media`: uploads (direct, presigned), their confirmation, and downloads.
//!
//! Bodies here are streams, never buffered whole: a direct upload's multipart file part and a
//! signed `PUT` go straight to the use case as a byte stream, which counts, sniffs and stores
//! them. A download answers the blob's bytes (or a range of them) with headers that keep an
//! uploaded file from ever running in this origin (see [`crate::routes::media_download`]).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures::{StreamExt, TryStreamExt};
use hearth_app::blobs::{BlobError, ByteStream};
use hearth_proto::{
    BeginUploadRequest, Envelope, ErrorCode, ErrorEnvelope, MediaDto, PresignedUploadDto,
    UploadForm,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Query};
use crate::json::Json;
use crate::render::{created, ok};
use crate::routes::media_download::{self, MediaPath};
use crate::{ApiError, RestState};

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(begin_upload))
        .routes(routes!(upload_signed))
        .routes(routes!(confirm))
        .routes(routes!(get_media))
        .routes(routes!(media_download::download))
        .routes(routes!(media_download::thumbnail))
}

/// A request body as the use cases' byte stream.
fn byte_stream(body: Body) -> ByteStream {
    Box::pin(
        body.into_data_stream()
            .map_err(|err| BlobError::Body(err.to_string())),
    )
}

/// Upload a file directly: `multipart/form-data` with the file in a part named `file` (its
/// `filename` is kept). The bytes stream through the server: they are counted (refused past
/// `media.max_upload_bytes`: 413) and their type is sniffed from their first bytes (refused
/// unless `media.allowed_types` accepts it: 415); the client's content type is ignored. The
/// upload is ready at once.
#[utoipa::path(post, path = "/v1/media", operation_id = "upload_media", tag = "media",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A part named `file`, with a filename"),
    responses(
        (status = 201, description = "Stored and ready to attach", body = Envelope<MediaDto>),
        (status = 400, description = "Not multipart, or no `file` part", body = ErrorEnvelope),
        (status = 413, description = "Larger than the server accepts", body = ErrorEnvelope),
        (status = 415, description = "A type the server does not accept", body = ErrorEnvelope),
        (status = 422, description = "The file name breaks its rule", body = ErrorEnvelope),
    ))]
async fn upload(
    State(state): State<RestState>,
    Auth(caller): Auth,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| multer::parse_boundary(value).ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the file as multipart/form-data",
            )
        })?;
    let mut parts = multer::Multipart::new(body.into_data_stream(), boundary);
    let field = parts
        .next_field()
        .await
        .map_err(|err| ApiError::new(ErrorCode::BadRequest, err.to_string()))?
        .ok_or_else(unknown_part)?;
    if field.name() != Some("file") {
        return Err(unknown_part());
    }
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let bytes: ByteStream =
        Box::pin(field.map(|chunk| chunk.map_err(|err| BlobError::Body(err.to_string()))));
    let media = state.app.media.upload(caller, &file_name, bytes).await?;
    // The form has one part: anything after the file takes the upload back.
    if !matches!(parts.next_field().await, Ok(None)) {
        state.app.media.remove(caller, media.id).await?;
        return Err(unknown_part());
    }
    Ok(created(MediaDto::from(&media)))
}

fn unknown_part() -> ApiError {
    ApiError::field("file", "the form must hold one part, named `file`")
}

/// Begin a presigned upload of a file of `size` bytes: `PUT` them to `upload_url` (the
/// bucket's own presigned URL with S3; a signed path on this server with the local store, no
/// bearer token needed) before `expires_at`, then confirm. An upload never confirmed is
/// deleted after `media.pending_ttl_secs`.
#[utoipa::path(post, path = "/v1/media/uploads", operation_id = "begin_media_upload", tag = "media",
    security(("bearer" = [])), request_body = BeginUploadRequest,
    responses(
        (status = 201, description = "Pending; where to send the bytes", body = Envelope<PresignedUploadDto>),
        (status = 413, description = "Larger than the server accepts", body = ErrorEnvelope),
        (status = 422, description = "The name or size breaks its rule", body = ErrorEnvelope),
    ))]
async fn begin_upload(
    State(state): State<RestState>,
    Auth(caller): Auth,
    Json(body): Json<BeginUploadRequest>,
) -> Result<Response, ApiError> {
    let begun = state
        .app
        .media
        .begin_upload(caller, &body.file_name, body.size)
        .await?;
    Ok(created(PresignedUploadDto {
        media: MediaDto::from(&begun.media),
        upload_url: begun.url,
        method: "PUT".to_owned(),
        expires_at: begun.expires_at,
    }))
}

/// The signature of a signed upload URL.
#[derive(Debug, Deserialize, IntoParams)]
struct SignedQuery {
    /// When the URL stops working (Unix seconds), as signed.
    expires: i64,
    /// The URL's signature.
    signature: String,
}

/// The target of a signed upload URL (local store): the raw bytes of the file. Refused (403)
/// when the signature does not match or has expired; at most the announced size is taken.
#[utoipa::path(put, path = "/v1/media/{media_id}/upload", operation_id = "put_media_upload", tag = "media",
    params(("media_id" = String, Path, description = "Media id"), SignedQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 204, description = "Stored; confirm it next"),
        (status = 403, description = "The link is invalid or expired", body = ErrorEnvelope),
        (status = 409, description = "Confirmed already", body = ErrorEnvelope),
        (status = 413, description = "Longer than announced", body = ErrorEnvelope),
    ))]
async fn upload_signed(
    State(state): State<RestState>,
    MediaPath(id): MediaPath,
    Query(query): Query<SignedQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    state
        .app
        .media
        .upload_signed(id, query.expires, &query.signature, byte_stream(body))
        .await?;
    Ok(no_content())
}

fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = axum::http::StatusCode::NO_CONTENT;
    response
}

/// Confirm a presigned upload: the stored bytes are measured (they must be the announced
/// size: 422) and sniffed (415 unless accepted); refused bytes are deleted. Confirming again
/// answers the ready upload.
#[utoipa::path(post, path = "/v1/media/{media_id}/confirm", operation_id = "confirm_media", tag = "media",
    security(("bearer" = [])), params(("media_id" = String, Path, description = "Media id")),
    responses(
        (status = 200, description = "Ready to attach", body = Envelope<MediaDto>),
        (status = 404, description = "No such upload of yours, or it expired", body = ErrorEnvelope),
        (status = 409, description = "Nothing was uploaded yet", body = ErrorEnvelope),
        (status = 413, description = "Larger than the server accepts", body = ErrorEnvelope),
        (status = 415, description = "A type the server does not accept", body = ErrorEnvelope),
        (status = 422, description = "Not the size announced", body = ErrorEnvelope),
    ))]
async fn confirm(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MediaPath(id): MediaPath,
) -> Result<Response, ApiError> {
    let media = state.app.media.confirm(caller, id).await?;
    Ok(ok(MediaDto::from(&media)))
}

/// A file's record: name, kind, sniffed type, size, status.
#[utoipa::path(get, path = "/v1/media/{media_id}", operation_id = "get_media", tag = "media",
    security(("bearer" = [])), params(("media_id" = String, Path, description = "Media id")),
    responses(
        (status = 200, description = "The file", body = Envelope<MediaDto>),
        (status = 404, description = "No such file you may see", body = ErrorEnvelope),
    ))]
async fn get_media(
    State(state): State<RestState>,
    Auth(caller): Auth,
    MediaPath(id): MediaPath,
) -> Result<Response, ApiError> {
    let media = state.app.media.get(caller, id).await?;
    Ok(ok(MediaDto::from(&media)))
}
