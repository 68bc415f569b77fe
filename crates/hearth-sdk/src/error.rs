//! What can go wrong talking to a Hearth server.

use hearth_proto::ErrorCode;

/// A failed call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error envelope.
    #[error("{status} {code}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The public error code.
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The request did not complete (connection refused, reset, timeout).
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The answer was not what the contract says.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The WebSocket failed.
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// The WebSocket closed (with its close code, if any).
    #[error("websocket closed ({0:?})")]
    Closed(Option<u16>),
    /// A call needs a signed-in client.
    #[error("not signed in")]
    NotSignedIn,
}
