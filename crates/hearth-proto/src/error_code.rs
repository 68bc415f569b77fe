//! The one table of public error codes. REST renders the HTTP status, the WebSocket face an
//! `error` event, GraphQL `extensions.code`, gRPC its status: all from this table, so a client
//! sees the same code whichever face it speaks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = ($code:literal, $status:literal);)*) => {
        /// A stable, snake_case error code and the HTTP status it carries.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status of this code.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }
        }
    };
}

error_codes! {
    /// Malformed request: unparsable JSON, a malformed cursor, an unknown WebSocket action.
    BadRequest = ("bad_request", 400);
    /// A mailed link's token is unknown, already used or expired: ask for a new mail.
    InvalidToken = ("invalid_token", 400);
    /// Missing, expired, malformed or wrongly signed credentials.
    Unauthorized = ("unauthorized", 401);
    /// Authenticated, but not allowed (e.g. not a member of the conversation).
    Forbidden = ("forbidden", 403);
    /// The operator disabled this account: it cannot sign in, and its sessions have ended.
    AccountDisabled = ("account_disabled", 403);
    /// The server requires a proven e-mail address and this account's is not proven yet:
    /// follow the mailed link (or ask for a new one).
    EmailNotVerified = ("email_not_verified", 403);
    /// No such resource (also a malformed id in a path, or an unknown route).
    NotFound = ("not_found", 404);
    /// The route exists but not with this method.
    MethodNotAllowed = ("method_not_allowed", 405);
    /// The request clashes with the current state (taken username, reused idempotency key).
    Conflict = ("conflict", 409);
    /// The body is larger than the server accepts.
    PayloadTooLarge = ("payload_too_large", 413);
    /// The body's content type is not one this route takes.
    UnsupportedMediaType = ("unsupported_media_type", 415);
    /// Well-formed input that breaks a rule; `details` names the fields.
    ValidationFailed = ("validation_failed", 422);
    /// Too many requests; `Retry-After` says when to try again.
    RateLimited = ("rate_limited", 429);
    /// Something failed on the server; the log has the cause under the request id.
    Internal = ("internal", 500);
    /// The server cannot serve now (shedding load, database down); `Retry-After` says when.
    Unavailable = ("unavailable", 503);
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).ok();
            assert_eq!(
                json,
                Some(serde_json::Value::String(code.as_str().to_owned()))
            );
        }
    }
}
