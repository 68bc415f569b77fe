//! Errors as GraphQL renders them: the stable code of the app's table in `extensions.code`.
//!
//! [`error`] is the one mapping from the app's [`PublicError`] (itself the one mapping from
//! `AppError`) to a GraphQL error; [`coded`] gives every error the library raised itself
//! (unparsable documents, unknown fields, depth and complexity limits) the code
//! `bad_request`, so no error ever reaches a client without a code. This module must never
//! decide whether something is allowed; it only renders what the use cases answered.

use async_graphql::{ErrorExtensionValues, Response, ServerError};
use hearth_app::PublicError;
use hearth_proto::ErrorCode;

/// A use case's failure as a GraphQL error: the message, `extensions.code`, and — when the
/// app gives them — `extensions.details` and `extensions.retryAfterMs`.
pub(crate) fn error(err: impl Into<PublicError>) -> async_graphql::Error {
    let err = err.into();
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", err.code.as_str());
    if let Some(Ok(details)) = err.details.map(async_graphql::Value::from_json) {
        extensions.set("details", details);
    }
    if let Some(after) = err.retry_after {
        let millis = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
        extensions.set("retryAfterMs", millis);
    }
    async_graphql::Error {
        message: err.message,
        source: None,
        extensions: Some(extensions),
    }
}

/// A failure named by its code and message (what the face itself refuses: a malformed id, a
/// request without a token).
pub(crate) fn refuse(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    error(PublicError::new(code, message))
}

/// Gives every error of `response` that carries no code `bad_request`: such errors come from
/// the library's parsing and validation of the document (its limits included), never from a
/// use case.
pub(crate) fn coded(mut response: Response) -> Response {
    for err in &mut response.errors {
        give_code(err);
    }
    response
}

fn give_code(err: &mut ServerError) {
    let extensions = err.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", ErrorCode::BadRequest.as_str());
    }
}

/// A response that is only this error (the request never reached the schema).
pub(crate) fn response_of(err: async_graphql::Error) -> Response {
    let mut server_error = ServerError::new(err.message, None);
    server_error.extensions = err.extensions;
    coded(Response::from_errors(vec![server_error]))
}
