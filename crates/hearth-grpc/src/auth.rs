//! Reading who calls and whom a request names: the `authorization: Bearer <token>` metadata,
//! and the ids in request fields. Whether the caller may act as the user a request names is
//! the core's decision ([`hearth_app::AuthService::caller_as`]); this module only reads.

use hearth_app::{App, Caller, Principal, PublicError};
use hearth_domain::{ConversationId, UserId};
use hearth_proto::ErrorCode;
use tonic::metadata::MetadataMap;

/// The principal the call's bearer token proves.
pub(crate) fn principal(app: &App, metadata: &MetadataMap) -> Result<Principal, PublicError> {
    let missing = || {
        PublicError::new(
            ErrorCode::Unauthorized,
            "missing `authorization: Bearer <token>` metadata",
        )
    };
    let value = metadata.get("authorization").ok_or_else(missing)?;
    let token = value
        .to_str()
        .ok()
        .and_then(hearth_app::bearer_token)
        .ok_or_else(|| {
            PublicError::new(
                ErrorCode::Unauthorized,
                "authorization must be `Bearer <token>`",
            )
        })?;
    Ok(app.auth.authenticate_principal(token)?)
}

/// The caller a request acts as: the user its field `field` names (`raw`; empty names
/// nobody), as the core allows `principal` to.
pub(crate) async fn acting(
    app: &App,
    principal: &Principal,
    field: &'static str,
    raw: &str,
) -> Result<Caller, PublicError> {
    let named = optional_user(field, raw)?;
    Ok(app.auth.caller_as(principal, named, field).await?)
}

/// A user id in a request field; empty is `None`.
pub(crate) fn optional_user(field: &'static str, raw: &str) -> Result<Option<UserId>, PublicError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| PublicError::field(field, "must be a user id (UUID)"))
}

/// A conversation id in a request field. Malformed, it names no conversation: `not_found`,
/// as a malformed id in a REST path.
pub(crate) fn conversation(raw: &str) -> Result<ConversationId, PublicError> {
    raw.trim()
        .parse()
        .map_err(|_| PublicError::new(ErrorCode::NotFound, "conversation not found"))
}
