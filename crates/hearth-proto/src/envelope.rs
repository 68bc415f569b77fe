//! The envelope every REST response is wrapped in: `{"data": …}` or `{"error": {…}}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ErrorCode;

/// A successful response: `{"data": …}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Envelope<T> {
    /// The payload.
    pub data: T,
}

/// A failed response: `{"error": {"code", "message", "details"?}}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The body of an error.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The stable code; clients branch on this.
    pub code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
    /// Structured detail: for `validation_failed`, an object from field name to problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// The answer of a body-less action: `{"ok": true}`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
pub struct Ok {
    /// Always `true`.
    pub ok: bool,
}

impl Default for Ok {
    fn default() -> Self {
        Self { ok: true }
    }
}
