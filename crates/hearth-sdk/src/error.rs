//! What can go wrong talking to a Hearth server.

use hearth_proto::ErrorCode;

/// A failed call.
///
/// Branch on [`code`](Self::code) for what the server refused (the stable code of its error
/// envelope), and on [`ClientError::SessionExpired`] / [`ClientError::NotSignedIn`] for
/// "sign in again".
///
/// ```no_run
/// # async fn demo(alice: hearth_sdk::Client, conversation: uuid::Uuid, message: uuid::Uuid)
/// # -> Result<(), hearth_sdk::ClientError> {
/// use hearth_proto::ErrorCode;
/// use hearth_sdk::ClientError;
///
/// match alice.edit_message(conversation, message, "fixed typo").await {
///     Ok(edited) => assert!(edited.edit_count > 0),
///     Err(err) if err.code() == Some(ErrorCode::Forbidden) => { /* not yours, or too late */ }
///     Err(ClientError::SessionExpired { .. }) => { /* show the sign-in screen */ }
///     Err(other) => return Err(other),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error envelope.
    #[error("{status} {code}: {message}", code = code.as_str())]
    Api {
        /// The HTTP status.
        status: u16,
        /// The public error code.
        code: ErrorCode,
        /// The server's explanation, for people.
        message: String,
        /// For `validation_failed`: an object from field name to problem.
        details: Option<serde_json::Value>,
    },
    /// The session is over: the server refused its refresh token (expired, revoked, reused,
    /// or the account is gone). The client is signed out; sign in again.
    #[error("session expired ({code}): {message}", code = code.as_str())]
    SessionExpired {
        /// The code the refresh was refused with (`unauthorized`).
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The call needs a signed-in client, and this one never was or has signed out.
    #[error("not signed in")]
    NotSignedIn,
    /// The request did not complete (connection refused, reset, timeout).
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The answer was not what the contract says.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The server address cannot be used as a base URL.
    #[error("invalid server URL: {0}")]
    InvalidUrl(String),
    /// The WebSocket failed.
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// The WebSocket closed (with its close code, if any).
    #[error("websocket closed ({0:?})")]
    Closed(Option<u16>),
}

impl ClientError {
    /// The public error code the server answered with, if it answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } | Self::SessionExpired { code, .. } => Some(*code),
            _ => None,
        }
    }
}
