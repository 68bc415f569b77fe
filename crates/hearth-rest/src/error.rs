//! Where failures become HTTP responses.
//!
//! Every error a client can see is an [`ApiError`]: a [`PublicError`] (the one mapping of use
//! case errors, shared by every face) rendered as the error envelope with the HTTP status of its
//! code, and `Retry-After` for 429/503.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, PublicError};
use hearth_proto::{ErrorBody, ErrorCode, ErrorEnvelope};

/// A failure as the client will see it.
#[derive(Debug)]
pub struct ApiError(PublicError);

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(PublicError::new(code, message))
    }

    /// A 422 naming one field.
    pub fn field(field: &str, problem: &str) -> Self {
        Self(PublicError::field(field, problem))
    }

    /// The public code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// For `validation_failed`: the object from field name to problem.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.0.details.as_ref()
    }
}

impl From<PublicError> for ApiError {
    fn from(error: PublicError) -> Self {
        Self(error)
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self(PublicError::from(err))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let PublicError {
            code,
            message,
            details,
            retry_after,
        } = self.0;
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorEnvelope {
            error: ErrorBody {
                code,
                message,
                details,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(after) = retry_after {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The answer for a path no route matches.
pub async fn unknown_route() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such route")
}

/// The answer for a route asked with a method it does not take.
pub(crate) async fn wrong_method() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this route does not take that method",
    )
}

/// The answer when a handler panicked (the panic itself is logged by the catch layer).
pub(crate) fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    ApiError::new(ErrorCode::Internal, "internal error").into_response()
}
