//! The web client at `/`: files with their types and cache headers, deep links answered by
//! `index.html`, the strict CSP, and the API's JSON 404 kept for every path the client does
//! not own. A fixture client (`web.dir`) makes these independent of whether `web/dist` was
//! built; the embedded copy is checked for what it is.

use std::path::Path;

use reqwest::Method;
use reqwest::header::{self, HeaderMap};
use tempfile::TempDir;

use crate::support::TestApp;

const INDEX: &str = "<!doctype html><title>Hearth</title><script type=\"module\" \
                     src=\"/assets/index-3f2a9c1d.js\"></script>";
const SCRIPT: &str = "console.log('hearth');";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A built client in miniature: what `npm run build` leaves in `web/dist`.
fn fixture_client() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, body: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, body).expect("write fixture");
    };
    write("index.html", INDEX);
    write("assets/index-3f2a9c1d.js", SCRIPT);
    write("assets/index-77aa01bc.css", "body{margin:0}");
    write("sw.js", "self.addEventListener('fetch', () => {});");
    write("manifest.webmanifest", "{\"name\":\"Hearth\"}");
    dir
}

/// A server that serves the client in `dir`.
async fn serving(dir: &Path) -> TestApp {
    let dir = dir.to_owned();
    TestApp::spawn_with(move |config| config.web.dir = Some(dir)).await
}

/// An answer as text: status, headers, body.
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<absent>")
    }
}

async fn fetch(app: &TestApp, method: Method, path: &str, headers: HeaderMap) -> Page {
    let response = app
        .client
        .request(method, app.url(path))
        .headers(headers)
        .send()
        .await
        .expect("request sent");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

async fn get(app: &TestApp, path: &str) -> Page {
    fetch(app, Method::GET, path, HeaderMap::new()).await
}

#[tokio::test]
async fn test_the_root_serves_the_clients_index_uncached() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    let page = get(&app, "/").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, INDEX);
    assert_eq!(
        page.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(page.header(header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn test_a_deep_link_serves_the_clients_index() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    for path in [
        "/c/0195f0a2-7b7e-7c1e-9a51-0c8e3e7d4b10",
        "/settings/profile?tab=1",
    ] {
        let page = get(&app, path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.body, INDEX, "{path}");
        assert_eq!(page.header(header::CACHE_CONTROL), "no-cache", "{path}");
    }
}

#[tokio::test]
async fn test_hashed_assets_are_cached_for_a_year_with_their_type() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    let script = get(&app, "/assets/index-3f2a9c1d.js").await;
    assert_eq!(script.status, 200);
    assert_eq!(script.body, SCRIPT);
    assert_eq!(
        script.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.header(header::CACHE_CONTROL), IMMUTABLE);
    let style = get(&app, "/assets/index-77aa01bc.css").await;
    assert_eq!(
        style.header(header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    assert_eq!(style.header(header::CACHE_CONTROL), IMMUTABLE);
}

#[tokio::test]
async fn test_the_service_worker_and_manifest_are_revalidated() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    let worker = get(&app, "/sw.js").await;
    assert_eq!(worker.status, 200);
    assert_eq!(
        worker.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(worker.header(header::CACHE_CONTROL), "no-cache");
    let manifest = get(&app, "/manifest.webmanifest").await;
    assert_eq!(
        manifest.header(header::CONTENT_TYPE),
        "application/manifest+json"
    );
    assert_eq!(manifest.header(header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn test_an_unchanged_file_answers_not_modified() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    let first = get(&app, "/sw.js").await;
    let etag = first.headers.get(header::ETAG).expect("an etag").clone();
    let mut headers = HeaderMap::new();
    headers.insert(header::IF_NONE_MATCH, etag);
    let again = fetch(&app, Method::GET, "/sw.js", headers).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn test_the_clients_pages_carry_the_strict_csp() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    let page = get(&app, "/c/anything").await;
    let csp = page.header(header::CONTENT_SECURITY_POLICY).to_owned();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
            .to_owned()
    };
    assert_eq!(directive("script-src"), "script-src 'self'");
    assert_eq!(directive("connect-src"), "connect-src 'self'");
    assert_eq!(directive("default-src"), "default-src 'self'");
    assert_eq!(directive("object-src"), "object-src 'none'");
    assert_eq!(page.header(header::X_FRAME_OPTIONS), "DENY");
    assert_eq!(page.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}

#[tokio::test]
async fn test_paths_the_client_does_not_own_keep_the_json_404() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    for path in [
        "/v1/unknown",
        "/v1/conversations/x/bogus",
        "/assets/gone-1234.js",
        "/old.png",
    ] {
        app.request(Method::GET, path, None, None)
            .await
            .expect_error(404, "not_found");
    }
    // Other methods on the client's routes are not the client's either.
    app.request(Method::POST, "/c/anything", None, None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_the_api_still_answers_beside_the_client() {
    let client = fixture_client();
    let app = serving(client.path()).await;
    app.request(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    let docs = get(&app, "/docs/").await;
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("swagger"), "docs page: {}", docs.body);
}

#[tokio::test]
async fn test_the_embedded_client_or_the_build_instructions_answer_the_root() {
    let app = TestApp::spawn().await;
    let page = get(&app, "/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(page.header(header::CACHE_CONTROL), "no-cache");
    if hearth_web::WebClient::embedded().is_built() {
        // The app's script, gzipped at build time, goes compressed to a browser that takes it.
        let script = page
            .body
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no script in {}", page.body));
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, "gzip, br".parse().unwrap());
        let gzipped = fetch(&app, Method::GET, script, headers).await;
        assert_eq!(gzipped.status, 200, "{script}");
        assert_eq!(gzipped.header(header::CONTENT_ENCODING), "gzip");
        assert_eq!(gzipped.header(header::CACHE_CONTROL), IMMUTABLE);
    } else {
        assert!(page.body.contains("npm run build"), "{}", page.body);
    }
}

#[tokio::test]
async fn test_a_web_dir_without_a_built_client_stops_the_start() {
    let empty = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = crate::support::test_config(data.path());
    config.web.dir = Some(empty.path().to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = hearth_server::run(config, listener, std::future::pending())
        .await
        .expect_err("a directory without index.html is refused");
    let message = err.to_string();
    assert!(
        message.contains("web.dir") && message.contains("index.html"),
        "{message}"
    );
}
