//! The one mapping from the core's error table to gRPC: a [`PublicError`] becomes a
//! [`tonic::Status`] whose code follows the table below, whose message is the error's, and
//! whose trailers carry the stable code (`hearth-code`), the details as JSON
//! (`hearth-details-bin`) and, when the client should wait, `retry-after-ms`.
//!
//! | Hearth code | gRPC status |
//! |---|---|
//! | `bad_request`, `validation_failed`, `unsupported_media_type` | `INVALID_ARGUMENT` |
//! | `unauthorized` | `UNAUTHENTICATED` |
//! | `forbidden` | `PERMISSION_DENIED` |
//! | `not_found` | `NOT_FOUND` |
//! | `conflict` | `ALREADY_EXISTS` |
//! | `payload_too_large`, `rate_limited` | `RESOURCE_EXHAUSTED` |
//! | `method_not_allowed` | `UNIMPLEMENTED` |
//! | `unavailable` | `UNAVAILABLE` |
//! | `internal` | `INTERNAL` |

use hearth_app::PublicError;
use hearth_proto::ErrorCode;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::{Code, Status};

/// The trailer that carries the stable code.
pub const CODE_TRAILER: &str = "hearth-code";
/// The trailer that carries the details (`validation_failed`: field → problem), as JSON.
pub const DETAILS_TRAILER: &str = "hearth-details-bin";
/// The trailer that says how long to wait before retrying, in milliseconds.
pub const RETRY_TRAILER: &str = "retry-after-ms";

/// The gRPC status code of a Hearth code.
pub fn grpc_code(code: ErrorCode) -> Code {
    match code {
        ErrorCode::BadRequest
        | ErrorCode::ValidationFailed
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::InvalidToken => Code::InvalidArgument,
        ErrorCode::Unauthorized => Code::Unauthenticated,
        ErrorCode::Forbidden | ErrorCode::AccountDisabled | ErrorCode::EmailNotVerified => {
            Code::PermissionDenied
        }
        ErrorCode::NotFound => Code::NotFound,
        ErrorCode::Conflict => Code::AlreadyExists,
        ErrorCode::PayloadTooLarge | ErrorCode::RateLimited => Code::ResourceExhausted,
        ErrorCode::MethodNotAllowed => Code::Unimplemented,
        ErrorCode::Unavailable => Code::Unavailable,
        ErrorCode::Internal => Code::Internal,
        _ => Code::Unknown,
    }
}

/// A public error as a gRPC status.
pub fn to_status(error: PublicError) -> Status {
    let mut trailers = MetadataMap::new();
    trailers.insert(
        CODE_TRAILER,
        MetadataValue::from_static(error.code.as_str()),
    );
    if let Some(details) = &error.details
        && let Ok(json) = serde_json::to_vec(details)
    {
        trailers.insert_bin(DETAILS_TRAILER, MetadataValue::from_bytes(&json));
    }
    if let Some(after) = error.retry_after {
        let millis = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
        trailers.insert(RETRY_TRAILER, MetadataValue::from(millis));
    }
    Status::with_metadata(grpc_code(error.code), error.message, trailers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_grpc_status_other_than_unknown() {
        for code in ErrorCode::ALL {
            assert_ne!(grpc_code(*code), Code::Unknown, "{code}");
        }
    }

    #[test]
    fn the_stable_code_is_in_the_trailer() {
        let status = to_status(PublicError::new(ErrorCode::Forbidden, "not a member"));
        assert_eq!(status.code(), Code::PermissionDenied);
        let trailer = status.metadata().get(CODE_TRAILER);
        assert_eq!(trailer.and_then(|v| v.to_str().ok()), Some("forbidden"),);
    }
}
