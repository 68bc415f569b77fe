//! The error statuses an operation can answer because of how it reads its request, added to
//! every operation of the document in one place so none is forgotten.
//!
//! The extractors decide them, whatever the use case: a bearer token (`security`) can be
//! missing or expired — 401; a JSON body can be unreadable (400), too large (413), of another
//! content type (415) or of the wrong shape (422); a query string can be unreadable (400) or
//! break a rule (422); a path id can name nothing (404); and every operation reads or writes
//! the store, which can be unavailable (503 with `Retry-After`). Statuses that depend on the
//! use case — 403, 409, 429, a specific 404 — are written on each handler, and a status the
//! handler describes already keeps its description.

use serde_json::{Map, Value, json};

/// Adds the statuses implied by each operation's shape to `doc` (the document as JSON).
pub(super) fn apply(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            let implied = implied(operation);
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (status, description) in implied {
                responses
                    .entry(status)
                    .or_insert_with(|| response(status, description));
            }
            // Every 429 comes with `Retry-After`, whichever limit refused it.
            if let Some(limited) = responses.get_mut("429").and_then(Value::as_object_mut) {
                limited.insert("headers".to_owned(), retry_after());
            }
        }
    }
}

/// The statuses `operation`'s shape implies, with what they mean.
fn implied(operation: &Value) -> Vec<(&'static str, &'static str)> {
    let parameters = operation.get("parameters").and_then(Value::as_array);
    let takes = |place: &str| {
        parameters.is_some_and(|ps| {
            ps.iter()
                .any(|p| p.get("in").is_some_and(|there| there == place))
        })
    };
    let mut statuses = Vec::new();
    if operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty())
    {
        statuses.push((
            "401",
            "Missing, malformed, expired or wrongly signed bearer token",
        ));
    }
    if operation.get("requestBody").is_some() {
        statuses.push(("400", "The body is not valid JSON"));
        statuses.push((
            "413",
            "The body is larger than the server accepts (limits.max_body_bytes)",
        ));
        statuses.push((
            "415",
            "The body is not sent as Content-Type: application/json",
        ));
        statuses.push((
            "422",
            "The body has the wrong shape (a missing, mistyped or unknown field) or breaks a rule; details name the fields",
        ));
    }
    if takes("query") {
        statuses.push(("400", "The query string cannot be read"));
        statuses.push(("422", "A query parameter breaks a rule; details name it"));
    }
    if takes("path") {
        statuses.push(("404", "A path id names nothing (also a malformed id)"));
    }
    statuses.push((
        "503",
        "The database cannot serve right now; retry after Retry-After",
    ));
    statuses
}

/// An error response: the envelope, with `Retry-After` where the status always carries it.
fn response(status: &str, description: &str) -> Value {
    let mut response = Map::new();
    response.insert("description".to_owned(), json!(description));
    response.insert(
        "content".to_owned(),
        json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorEnvelope" } } }),
    );
    if status == "503" {
        response.insert("headers".to_owned(), retry_after());
    }
    Value::Object(response)
}

/// The `Retry-After` header of a 429 or 503: whole seconds to wait.
fn retry_after() -> Value {
    json!({ "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": true,
        "schema": { "type": "integer", "minimum": 1 },
    } })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn document() -> Value {
        crate::openapi()
    }

    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut all = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                all.push((format!("{method} {path}"), operation));
            }
        }
        all
    }

    #[test]
    fn every_authenticated_operation_documents_401() {
        let doc = document();
        for (name, operation) in operations(&doc) {
            if operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                assert!(operation["responses"]["401"].is_object(), "{name}");
            }
        }
    }

    #[test]
    fn every_operation_with_a_body_documents_400_413_415_422() {
        let doc = document();
        for (name, operation) in operations(&doc) {
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        operation["responses"][status].is_object(),
                        "{name} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_described_status_keeps_its_description() {
        let doc = document();
        let conflict = &doc["paths"]["/v1/auth/register"]["post"]["responses"]["409"];
        assert_eq!(conflict["description"], "Username or e-mail taken");
    }
}
