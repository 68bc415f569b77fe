//! Operations endpoints, the OpenAPI document, docs page, security headers and CORS.

use reqwest::Method;

use crate::support::{TestApp, read};

#[tokio::test]
async fn test_healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    let health = app
        .request(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    assert_eq!(health.data()["status"], "ok");
    let ready = app
        .request(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    assert_eq!(ready.data()["status"], "ready");
}

#[tokio::test]
async fn test_metrics_expose_requests_latency_messages_sent_and_log_syncs() {
    // The log syncs are SQLite's.
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k", "counted").await.expect(201);
    let text = app.metrics().await;
    assert!(
        text.contains(
            "http_requests_total{route=\"/v1/auth/register\",method=\"POST\",status=\"201\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("hearth_messages_sent_total"), "{text}");
    assert!(text.contains("hearth_sqlite_log_sync_seconds"), "{text}");
}

#[tokio::test]
async fn test_openapi_document_describes_every_endpoint() {
    let app = TestApp::spawn().await;
    let spec = app
        .request(Method::GET, "/v1/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/auth/register",
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/auth/logout",
        "/v1/users/me",
        "/v1/users/search",
        "/v1/conversations",
        "/v1/conversations/direct",
        "/v1/conversations/{id}",
        "/v1/conversations/{id}/messages",
        "/v1/conversations/{id}/read",
        "/v1/sync/bootstrap",
        "/v1/sync/changes",
    ] {
        assert!(spec["paths"][path].is_object(), "missing {path}");
    }
    assert!(spec["components"]["schemas"]["ErrorEnvelope"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

/// Generated clients (the web client's `openapi-typescript` types) key operations by
/// `operationId`: two handlers with the same function name would overwrite each other.
#[tokio::test]
async fn test_openapi_operation_ids_are_unique() {
    let app = TestApp::spawn().await;
    let spec = app
        .request(Method::GET, "/v1/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(id) = operation["operationId"].as_str() {
                let here = format!("{method} {path}");
                if let Some(before) = seen.insert(id.to_owned(), here.clone()) {
                    panic!("operationId {id} names both {before} and {here}");
                }
            }
        }
    }
    assert!(seen.len() > 30, "{seen:?}");
}

#[tokio::test]
async fn test_docs_page_is_served_without_the_internet() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(
        !html.contains("https://"),
        "the docs page must load nothing from the internet"
    );
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
}

#[tokio::test]
async fn test_an_operator_can_hide_the_docs_and_the_openapi_document() {
    let app = TestApp::spawn_with(|config| config.docs.enabled = false).await;
    for path in ["/docs/", "/docs", "/v1/openapi.json"] {
        app.request(Method::GET, path, None, None)
            .await
            .expect_error(404, "not_found");
    }
    app.request(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
}

#[tokio::test]
async fn test_responses_carry_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/healthz", None, None).await;
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(response.headers[name], value, "{name}");
    }
    assert!(
        response.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}

#[tokio::test]
async fn test_cors_allows_only_configured_origins() {
    let app = TestApp::spawn_with(|c| {
        c.cors.allowed_origins = vec!["https://chat.example.org".to_owned()]
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/v1/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = read(preflight("https://chat.example.org").await.unwrap()).await;
    assert_eq!(
        allowed.headers["access-control-allow-origin"],
        "https://chat.example.org"
    );
    let denied = read(preflight("https://evil.example").await.unwrap()).await;
    assert!(!denied.headers.contains_key("access-control-allow-origin"));
}
