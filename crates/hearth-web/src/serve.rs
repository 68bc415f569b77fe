//! The answer to one request for the client: a file, the app's `index.html` for one of its
//! own routes (a deep link such as `/c/<id>`), or nothing, so the API's 404 answers.
//!
//! Which paths belong to the app is decided here by their shape alone; this module never
//! looks into the API's routes and never answers for a path the API owns.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::assets::{Asset, Assets, CachePolicy};

/// First path segments that belong to the server, never to the app: an unknown path below
/// them is the API's 404, not a deep link.
const SERVER_PREFIXES: &[&str] = &[
    "v1",
    "docs",
    "healthz",
    "readyz",
    "metrics",
    "assets",
    "graphql",
    "socket.io",
];

/// The page `/` shows when the binary was built without the client.
const NOT_BUILT_PAGE: &str = include_str!("not_built.html");

/// What a path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Target<'a> {
    /// A file of the client, by its path below the client's root.
    File(&'a str),
    /// A route of the single-page app: answered with `index.html`.
    App,
    /// Not the client's business.
    Elsewhere,
}

/// Sorts a request path (with its leading `/`).
fn target(path: &str) -> Target<'_> {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return Target::App;
    }
    let first = relative.split('/').next().unwrap_or_default();
    let last = relative.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        Target::File(relative)
    } else if SERVER_PREFIXES.contains(&first) {
        Target::Elsewhere
    } else {
        Target::App
    }
}

/// The client's answer to `request`, or `None` when another part of the server must answer
/// (a method other than GET/HEAD, a path below an API prefix, a file the client lacks).
pub(crate) fn answer(assets: &Assets, request: &Request) -> Option<Response> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return None;
    }
    let respond = |asset| respond(asset, request);
    match target(request.uri().path()) {
        Target::File(path) => assets.get(path).map(respond),
        Target::App => Some(assets.get("index.html").map_or_else(not_built, respond)),
        Target::Elsewhere => None,
    }
}

/// A file (gzipped when the browser takes it and there is a gzipped copy), or
/// `304 Not Modified` when the browser's copy has the same entity tag.
fn respond(asset: &Asset, request: &Request) -> Response {
    let headers = request.headers();
    let gzip = asset
        .gzip
        .as_ref()
        .filter(|_| accepts_gzip(headers.get(header::ACCEPT_ENCODING)));
    let sent = gzip.unwrap_or(&asset.identity);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == "*" || tag.trim().as_bytes() == sent.etag.as_bytes())
        });
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Body::from(sent.body.clone()).into_response()
    };
    let out = response.headers_mut();
    if !unchanged {
        let content_type = HeaderValue::from_static(asset.content_type);
        out.insert(header::CONTENT_TYPE, content_type);
        if gzip.is_some() {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    out.insert(header::CACHE_CONTROL, asset.cache.header());
    out.insert(header::ETAG, sent.etag.clone());
    if asset.gzip.is_some() {
        // The answer depends on Accept-Encoding: caches must keep the two apart.
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether `Accept-Encoding` admits gzip (named, or `*`, and not with `q=0`).
fn accepts_gzip(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|value| value.to_str().ok()) else {
        return false;
    };
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

fn not_built() -> Response {
    let headers = [
        (header::CACHE_CONTROL, CachePolicy::Revalidate.header()),
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
    ];
    (headers, NOT_BUILT_PAGE).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    const GZ: &[u8] = b"\x1f\x8b pretend gzip";

    fn get(path: &str, accept_encoding: Option<&str>) -> Request {
        let mut request = Request::get(path);
        if let Some(accept) = accept_encoding {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        request.body(Body::empty()).unwrap_or_default()
    }

    fn client() -> Assets {
        Assets::of(&[
            ("index.html", b"<!doctype html>", None),
            ("assets/app-1.js", b"console.log(1)", Some(GZ)),
        ])
    }

    async fn body(response: Response) -> Vec<u8> {
        to_bytes(response.into_body(), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_gzipped_copy_goes_to_browsers_that_take_it() {
        let accept = Some("gzip, deflate, br");
        let response = answer(&client(), &get("/assets/app-1.js", accept)).unwrap_or_default();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        assert_eq!(body(response).await, GZ);
    }

    #[tokio::test]
    async fn others_get_the_file_as_it_is() {
        for accept in [None, Some("br"), Some("gzip;q=0, br")] {
            let response = answer(&client(), &get("/assets/app-1.js", accept)).unwrap_or_default();
            let encoding = response.headers().get(header::CONTENT_ENCODING);
            assert!(encoding.is_none(), "{accept:?}");
            assert_eq!(body(response).await, b"console.log(1)", "{accept:?}");
        }
    }

    #[tokio::test]
    async fn without_a_client_the_app_routes_say_how_to_build_it() {
        let none = Assets::default();
        let response = answer(&none, &get("/c/1", None)).unwrap_or_default();
        assert_eq!(response.status(), StatusCode::OK);
        let page = String::from_utf8(body(response).await).unwrap_or_default();
        assert!(page.contains("npm run build"), "{page}");
        assert!(answer(&none, &get("/assets/app-1.js", None)).is_none());
    }

    #[test]
    fn other_methods_are_not_the_clients() {
        let post = Request::post("/").body(Body::empty()).unwrap_or_default();
        assert!(answer(&client(), &post).is_none());
    }

    #[test]
    fn the_root_and_deep_links_are_the_app() {
        assert_eq!(target("/"), Target::App);
        assert_eq!(
            target("/c/0195f0a2-7b7e-7c1e-9a51-0c8e3e7d4b10"),
            Target::App
        );
        assert_eq!(target("/settings/profile"), Target::App);
        assert_eq!(target("/doc"), Target::App);
    }

    #[test]
    fn paths_with_an_extension_are_files() {
        assert_eq!(target("/sw.js"), Target::File("sw.js"));
        assert_eq!(
            target("/assets/index-1a2b.js"),
            Target::File("assets/index-1a2b.js")
        );
        assert_eq!(target("/c/1/picture.png"), Target::File("c/1/picture.png"));
    }

    #[test]
    fn the_servers_own_prefixes_are_never_the_app() {
        for path in [
            "/v1",
            "/v1/unknown",
            "/docs/x",
            "/healthz",
            "/metrics",
            "/assets/x",
        ] {
            assert_eq!(target(path), Target::Elsewhere, "{path}");
        }
    }
}
