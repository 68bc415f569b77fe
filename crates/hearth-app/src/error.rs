//! The one error type of the use cases, and its public code.

use std::time::Duration;

use hearth_domain::ValidationErrors;
use hearth_proto::ErrorCode;
use hearth_store::StoreError;

/// Why a use case refused or failed. Every face renders it through [`AppError::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Input that breaks a rule, by field.
    #[error("validation failed: {0}")]
    Validation(#[from] ValidationErrors),
    /// Malformed input that cannot be read at all.
    #[error("{0}")]
    BadRequest(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// An access token that was valid has expired: refresh it (a live connection closes).
    #[error("access token expired")]
    TokenExpired,
    /// Valid credentials, not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A mailed link's token is unknown, used or expired (says which link).
    #[error("{0}")]
    InvalidToken(&'static str),
    /// The operator disabled the account.
    #[error("this account is disabled; ask the operator")]
    AccountDisabled,
    /// The server requires a proven e-mail address and the account has not proven its own.
    #[error("confirm your e-mail address first: follow the link we mailed you")]
    EmailNotVerified,
    /// No such thing (names what).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the rules allow (an upload past the limit).
    #[error("{0}")]
    TooLarge(String),
    /// The content is of a type the rules do not accept (an upload's sniffed type).
    #[error("{0}")]
    UnsupportedType(String),
    /// Too many requests of this kind.
    #[error("too many requests; retry in {} s", retry_after.as_secs().max(1))]
    RateLimited {
        /// When the next request would be allowed.
        retry_after: Duration,
    },
    /// The server cannot serve now; retrying later may work.
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    /// A failure the client cannot fix; logged with its cause, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// The public code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthorized(_) | Self::TokenExpired => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::AccountDisabled => ErrorCode::AccountDisabled,
            Self::EmailNotVerified => ErrorCode::EmailNotVerified,
            Self::InvalidToken(_) => ErrorCode::InvalidToken,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::TooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::UnsupportedType(_) => ErrorCode::UnsupportedMediaType,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Wraps an unexpected failure.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => Self::Conflict(format!("{what} is already taken")),
            StoreError::NotFound(what) => Self::NotFound(what.as_str()),
            err @ StoreError::Unavailable(_) => Self::Unavailable(err),
            other => Self::Internal(Box::new(other)),
        }
    }
}
