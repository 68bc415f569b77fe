//! Hearth's web face: serves the built web client (`web/dist`) at `/`, from the same origin as
//! the API, with no second server.
//!
//! The files are embedded in the binary when it is built (`build.rs`), or read once at start
//! from a directory the configuration names. A path with a file extension is a file; any
//! other GET path outside the server's own prefixes (`/v1`, `/docs`, `/healthz`, …) is a
//! route of the single-page app and answers `index.html`, so deep links such as `/c/<id>`
//! work. Content-hashed assets (`/assets/…`) may be cached for a year; `index.html`, `sw.js`
//! and the manifest are revalidated on every use, so a new release shows at once. Text files
//! gzipped at build time go compressed to browsers that accept gzip. Everything
//! else — other methods, unknown API paths, missing files — goes to the handler the server
//! gives (the API's JSON 404). A binary built without the client answers the app's routes
//! with a page that says how to build it.
//!
//! This crate serves static files only: it holds no rule, calls no use case, and never
//! answers for a path the API owns.

mod assets;
mod serve;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::routing::any;

pub use assets::LoadError;

/// The web client's files, ready to serve. Cheap to clone.
#[derive(Clone, Debug)]
pub struct WebClient {
    assets: Arc<assets::Assets>,
}

impl WebClient {
    /// The client built into this binary (none when `web/dist` did not exist at build time).
    pub fn embedded() -> Self {
        Self {
            assets: Arc::new(assets::Assets::embedded()),
        }
    }

    /// The client in `dir` (a `web/dist`), read once now.
    pub fn from_dir(dir: &Path) -> Result<Self, LoadError> {
        Ok(Self {
            assets: Arc::new(assets::Assets::read_dir(dir)?),
        })
    }

    /// Whether there is a client to serve; `false` means `/` shows how to build it.
    pub fn is_built(&self) -> bool {
        self.assets.is_built()
    }
}

/// Routes `/` and every path no other route matched to the client; what the client does not
/// serve is answered by `otherwise` (the API's 404 envelope).
pub fn router<H, T>(client: WebClient, otherwise: H) -> Router
where
    H: Handler<T, ()>,
    T: 'static,
{
    let handler = move |request: Request| {
        let answered = serve::answer(&client.assets, &request);
        let otherwise = otherwise.clone();
        async move {
            match answered {
                Some(response) => response,
                None => otherwise.call(request, ()).await,
            }
        }
    };
    Router::new()
        .route("/", any(handler.clone()))
        .route("/{*path}", any(handler))
}
