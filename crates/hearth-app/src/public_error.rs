//! Errors as clients see them, whatever face they speak: the one mapping from [`AppError`] to
//! a public code, message and details.
//!
//! Internal failures are logged here with their cause chain and shown only as an opaque
//! `internal` — never a driver message or a stack trace. REST renders a [`PublicError`] as the
//! error envelope with its HTTP status; the WebSocket face as an `error` event.

use std::time::Duration;

use hearth_proto::ErrorCode;
use serde_json::{Map, Value};

use crate::AppError;

/// A failure as a client will see it.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicError {
    /// The stable code.
    pub code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
    /// For `validation_failed`: an object from field name to problem.
    pub details: Option<Value>,
    /// For `rate_limited` and `unavailable`: when to try again.
    pub retry_after: Option<Duration>,
}

impl PublicError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// A `validation_failed` naming one field.
    pub fn field(field: &str, problem: &str) -> Self {
        let mut details = Map::new();
        details.insert(field.to_owned(), Value::String(problem.to_owned()));
        Self {
            details: Some(Value::Object(details)),
            ..Self::new(ErrorCode::ValidationFailed, format!("{field}: {problem}"))
        }
    }

    /// The details a socket face sends: [`details`](Self::details), with `retry_after` in
    /// milliseconds under `retry_key` when the client should wait (an event has no
    /// `Retry-After` header to carry it).
    pub fn details_with_retry(&self, retry_key: &str) -> Option<Value> {
        let Some(after) = self.retry_after else {
            return self.details.clone();
        };
        let mut fields = match &self.details {
            Some(Value::Object(fields)) => fields.clone(),
            _ => Map::new(),
        };
        let millis = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
        fields.insert(retry_key.to_owned(), Value::from(millis));
        Some(Value::Object(fields))
    }

    /// A payload that parsed as JSON but has the wrong shape, from serde's explanation (which
    /// names a missing field as "missing field `x`" and a mistyped one as "x: invalid type …").
    pub fn wrong_shape(explanation: &str) -> Self {
        let field = if let Some(rest) = explanation.split("missing field `").nth(1) {
            rest.split('`').next().unwrap_or("body").to_owned()
        } else {
            match explanation.split_once(": ") {
                Some((path, _)) if !path.contains(' ') && path != "." => path.to_owned(),
                _ => "body".to_owned(),
            }
        };
        let mut details = Map::new();
        details.insert(field, Value::String(explanation.to_owned()));
        Self {
            details: Some(Value::Object(details)),
            ..Self::new(
                ErrorCode::ValidationFailed,
                format!("invalid input: {explanation}"),
            )
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

impl From<AppError> for PublicError {
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
                Self {
                    details: Some(Value::Object(details)),
                    ..Self::new(code, format!("invalid input: {errors}"))
                }
            }
            AppError::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(code, err.to_string())
            },
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = %chain(&cause), "refused: store unavailable");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named() {
        let error = PublicError::wrong_shape("missing field `password` at line 1 column 20");
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert!(error.details.is_some_and(|d| d.get("password").is_some()));
    }

    #[test]
    fn a_mistyped_field_is_named() {
        let error = PublicError::wrong_shape("seq: invalid type: string \"x\", expected i64");
        assert!(error.details.is_some_and(|d| d.get("seq").is_some()));
    }
}
