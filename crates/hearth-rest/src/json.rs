//! JSON input — request bodies, and JSON carried in a query parameter — decoded with errors
//! that name the field.
//!
//! DESIGN.md's status choices: text that is not JSON is 400 `bad_request`; JSON of the wrong
//! shape (a missing, mistyped, unknown or repeated field) is 422 `validation_failed` whose
//! `details` name the field by its path (`permissions.can_send_messages`); a body without a JSON
//! content type is 415 and one over the size limit 413. Request types refuse unknown fields
//! (`#[serde(deny_unknown_fields)]` in `hearth-proto`), so a misspelt setting is reported
//! instead of silently ignored. This module decides only shape, never a rule about values:
//! those are the use cases'.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use hearth_proto::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ApiError;

/// A JSON request body decoded into `T`.
#[derive(Debug)]
pub(crate) struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "the body must be JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "the body is larger than the server accepts",
                )
            } else {
                ApiError::new(ErrorCode::BadRequest, "the body could not be read")
            }
        })?;
        decode(&bytes, None).map(Self)
    }
}

/// `application/json`, or any `application/…+json`, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence
        .strip_prefix("application/")
        .is_some_and(|subtype| subtype == "json" || subtype.ends_with("+json"))
}

/// Decodes `bytes` as one `T`, which is a JSON object (every body and JSON parameter of the
/// API is). When the JSON came in a query parameter, `parameter` names it, and field paths
/// are reported under it (`after_seq_by_conversation.<key>`).
pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    parameter: Option<&str>,
) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| match parameter {
        Some(name) => ApiError::new(ErrorCode::BadRequest, format!("{name} is not valid JSON")),
        None => ApiError::new(ErrorCode::BadRequest, "the body is not valid JSON"),
    })?;
    // serde reads a struct from an array too (`[null, null]`); the API takes objects only.
    if !value.is_object() {
        return Err(ApiError::field(
            parameter.unwrap_or("body"),
            "must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        wrong_shape(&path, &err.into_inner().to_string(), parameter)
    })
}

/// The 422 for JSON of the wrong shape. `path` is where serde stopped (`.` for the top
/// level); a missing, unknown or repeated field is named inside its parent.
fn wrong_shape(path: &str, problem: &str, parameter: Option<&str>) -> ApiError {
    let parent = (path != ".").then_some(path);
    let named = ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|lead| problem.strip_prefix(lead))
        .and_then(|rest| rest.split('`').next());
    let inside = match (parent, named) {
        (Some(parent), Some(name)) if parent.rsplit('.').next() != Some(name) => {
            Some(format!("{parent}.{name}"))
        }
        (Some(parent), _) => Some(parent.to_owned()),
        (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    };
    let field = match (parameter, inside) {
        (Some(name), Some(inside)) => format!("{name}.{inside}"),
        (Some(name), None) => name.to_owned(),
        (None, Some(inside)) => inside,
        (None, None) => "body".to_owned(),
    };
    ApiError::field(&field, problem)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use std::collections::HashMap;

    use hearth_proto::{RegisterRequest, UpdateMemberRequest};

    use super::*;

    fn field_of<T: DeserializeOwned + std::fmt::Debug>(json: &str) -> (ErrorCode, String) {
        let err = decode::<T>(json.as_bytes(), None).unwrap_err();
        let details = err.details().cloned().unwrap_or_default();
        let field = details
            .as_object()
            .and_then(|d| d.keys().next().cloned())
            .unwrap_or_default();
        (err.code(), field)
    }

    #[test]
    fn an_unknown_field_is_a_422_naming_it() {
        let (code, field) = field_of::<RegisterRequest>(
            r#"{"username":"ann","password":"long enough","colour":"red"}"#,
        );
        assert_eq!(
            (code, field.as_str()),
            (ErrorCode::ValidationFailed, "colour")
        );
    }

    #[test]
    fn an_unknown_nested_field_is_named_by_its_path() {
        let (code, field) = field_of::<UpdateMemberRequest>(r#"{"permissions":{"can_fly":true}}"#);
        assert_eq!(
            (code, field.as_str()),
            (ErrorCode::ValidationFailed, "permissions.can_fly")
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let (code, field) = field_of::<RegisterRequest>(r#"{"username":"ann"}"#);
        assert_eq!(
            (code, field.as_str()),
            (ErrorCode::ValidationFailed, "password")
        );
    }

    #[test]
    fn a_mistyped_field_is_named() {
        let (code, field) = field_of::<RegisterRequest>(r#"{"username":7,"password":"x"}"#);
        assert_eq!(
            (code, field.as_str()),
            (ErrorCode::ValidationFailed, "username")
        );
    }

    #[test]
    fn a_wrong_top_level_shape_names_the_body() {
        let (code, field) = field_of::<RegisterRequest>("\"ann\"");
        assert_eq!(
            (code, field.as_str()),
            (ErrorCode::ValidationFailed, "body")
        );
    }

    #[test]
    fn text_that_is_not_json_is_a_bad_request() {
        for text in ["{\"username\":", "nope", "{} {}", ""] {
            let err = decode::<serde_json::Value>(text.as_bytes(), None).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BadRequest, "{text:?}");
        }
    }

    #[test]
    fn json_in_a_query_parameter_is_named_under_it() {
        let err = decode::<HashMap<String, i64>>(br#"{"k":"x"}"#, Some("cursors")).unwrap_err();
        let details = err.details().cloned().unwrap_or_default();
        assert!(details.get("cursors.k").is_some(), "{details}");
    }

    #[test]
    fn content_types_with_a_json_essence_are_json() {
        let mut headers = HeaderMap::new();
        for (value, json) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
            ("application/jsonx", false),
        ] {
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json(&headers), json, "{value}");
        }
    }
}
