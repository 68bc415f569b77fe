//! The web client's API types are generated from a committed snapshot of the OpenAPI
//! document (`web/src/api/openapi.json`); this fails as soon as the server's document and
//! the snapshot part, so the types cannot drift from what the server serves.

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

/// The command that refreshes the snapshot and the types generated from it.
const REGENERATE: &str = "cargo run -q -p hearth-server -- openapi > web/src/api/openapi.json \
                          && (cd web && npm run gen:api)";

#[tokio::test]
async fn test_the_served_openapi_document_matches_the_web_clients_snapshot() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/src/api/openapi.json"
    );
    let snapshot = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path} ({e}); create it with: {REGENERATE}"));
    let snapshot: Value = serde_json::from_str(&snapshot)
        .unwrap_or_else(|e| panic!("{path} is not JSON ({e}); regenerate it with: {REGENERATE}"));
    let app = TestApp::spawn().await;
    let served = app
        .request(Method::GET, "/v1/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    assert!(
        served == snapshot,
        "the served /v1/openapi.json differs from {path}: the web client's API types are \
         stale. Refresh the snapshot and the generated types with: {REGENERATE}"
    );
}
