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
    let if_none_match = request.headers().get(header::IF_NONE_MATCH);
    match target(request.uri().path()) {
        Target::File(path) => assets.get(path).map(|asset| respond(asset, if_none_match)),
        Target::App => Some(match assets.get("index.html") {
            Some(index) => respond(index, if_none_match),
            None => not_built(),
        }),
        Target::Elsewhere => None,
    }
}

/// A file, or `304 Not Modified` when the browser's copy has the same entity tag.
fn respond(asset: &Asset, if_none_match: Option<&HeaderValue>) -> Response {
    let unchanged = if_none_match
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == "*" || tag.trim().as_bytes() == asset.etag.as_bytes())
        });
    let headers = [
        (header::CACHE_CONTROL, asset.cache.header()),
        (header::ETAG, asset.etag.clone()),
    ];
    if unchanged {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let content_type = (
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    (headers, [content_type], Body::from(asset.body.clone())).into_response()
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
    use super::*;

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
