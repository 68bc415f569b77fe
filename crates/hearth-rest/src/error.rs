//! The one place where failures become HTTP responses.
//!
//! Every error a client can see is an [`ApiError`]: a public [`ErrorCode`] (whose table gives
//! the status), a message, optional details and, for 429/503, a `Retry-After`. Internal
//! failures are logged here with their cause chain and answered with an opaque 500 — never a
//! stack trace, never a driver message.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::AppError;
use hearth_proto::{ErrorBody, ErrorCode, ErrorEnvelope};
use serde_json::{Map, Value};

/// A failure as the client will see it.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    details: Option<Value>,
    retry_after: Option<Duration>,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// Adds structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// A 422 naming one field.
    pub fn field(field: &str, message: &str) -> Self {
        let mut details = Map::new();
        details.insert(field.to_owned(), Value::String(message.to_owned()));
        Self::new(ErrorCode::ValidationFailed, format!("{field}: {message}"))
            .with_details(Value::Object(details))
    }

    /// The public code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let code = err.code();
        match err {
            AppError::Validation(errors) => {
                let mut details = Map::new();
                for e in &errors.0 {
                    details
                        .entry(e.field.clone())
                        .or_insert_with(|| Value::String(e.message.clone()));
                }
                Self::new(code, format!("invalid input: {errors}"))
                    .with_details(Value::Object(details))
            }
            AppError::RateLimited { retry_after } => {
                let message = err.to_string();
                Self {
                    retry_after: Some(retry_after),
                    ..Self::new(code, message)
                }
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "request refused: store unavailable");
                Self {
                    retry_after: Some(Duration::from_secs(1)),
                    ..Self::new(code, "the server is temporarily unavailable; retry shortly")
                }
            }
            AppError::Internal(cause) => {
                tracing::error!(cause = %chain(cause.as_ref()), "request failed");
                Self::new(
                    code,
                    "internal error; the server log has the details under this request's id",
                )
            }
            other => Self::new(code, other.to_string()),
        }
    }
}

fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(after) = self.retry_after {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The answer for a path no route matches.
pub(crate) async fn unknown_route() -> ApiError {
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
