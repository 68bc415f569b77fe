//! Hearth's REST `/v1` face: seed 000's contract, verbatim, extended in the same style.
//!
//! Handlers are thin: parse the request, call one use case of [`hearth_app::App`], render the
//! result in the `{data}` envelope. Errors from anywhere — a use case, a malformed body, an
//! unknown route — become the `{error: {code, message, details}}` envelope in one place
//! ([`error`]). Handlers never check a permission or touch the database themselves.

mod error;
mod extract;
mod json;
mod middleware;
mod openapi;
mod ops;
mod render;
mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use hearth_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use utoipa_axum::router::OpenApiRouter;

pub use error::{ApiError, unknown_route};
pub use openapi::openapi;

/// What the REST face needs from the server's configuration.
#[derive(Clone, Debug)]
pub struct RestSettings {
    /// Origins allowed by CORS (empty: no cross-origin access).
    pub cors_allowed_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Serve `/docs` and `/v1/openapi.json` (operators who hide their API turn it off).
    pub publish_docs: bool,
    /// Mark cookies `Secure` (the server is reached over HTTPS).
    pub secure_cookies: bool,
}

impl Default for RestSettings {
    fn default() -> Self {
        Self {
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 64 * 1024,
            publish_docs: true,
            secure_cookies: false,
        }
    }
}

/// Shared by every handler.
#[derive(Clone, Debug)]
pub struct RestState {
    /// The use cases, shared: axum clones the state for every request, and a whole `App` is
    /// dozens of handles to clone and drop.
    pub app: Arc<App>,
    metrics: Arc<PrometheusHandle>,
    /// Whether cookies are marked `Secure`.
    secure_cookies: bool,
}

/// The whole HTTP surface: `/v1`, `/docs`, `/healthz`, `/readyz`, `/metrics`, plus the routes
/// of the other faces (`/v1/ws`, …) given in `faces`, all under every middleware (request
/// ids, tracing, metrics, security headers, CORS, body limit) and the envelope's 404/405.
pub fn router(app: App, settings: &RestSettings, faces: Router) -> Router {
    router_around(app, settings, faces, |router| router)
}

/// [`router`], with `inner` applied to the routed whole (routes and fallbacks) inside every
/// middleware: for a face that is a layer rather than routes (Socket.IO answers its own
/// paths from the fallback's place), so that its responses get request ids, tracing, CORS and
/// the security headers too.
pub fn router_around(
    app: App,
    settings: &RestSettings,
    faces: Router,
    inner: impl FnOnce(Router) -> Router,
) -> Router {
    let state = RestState {
        app: Arc::new(app),
        metrics: Arc::new(middleware::metrics_handle()),
        secure_cookies: settings.secure_cookies,
    };
    let (api, _) = api().split_for_parts();
    let (media, _) = routes::media::router().split_for_parts();
    let spec = openapi::finish(&spec());
    let api = api
        .route_layer(axum::middleware::from_fn(middleware::record_route))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes));
    // Uploads stream with a limit of their own (`media.max_upload_bytes`), counted by the use
    // case: the JSON body limit does not apply to them.
    let media = media
        .route_layer(axum::middleware::from_fn(middleware::record_route))
        .layer(DefaultBodyLimit::disable());
    let mut router = Router::new().merge(api).merge(media).merge(ops::router());
    if settings.publish_docs {
        router = router.merge(
            utoipa_swagger_ui::SwaggerUi::new("/docs")
                .external_url_unchecked("/v1/openapi.json", spec),
        );
    }
    let router = router
        .with_state(state)
        .merge(faces)
        .fallback(error::unknown_route)
        .method_not_allowed_fallback(error::wrong_method);
    middleware::wrap(inner(router), settings)
}

/// The OpenAPI description of every `/v1` route, media's included.
fn spec() -> utoipa::openapi::OpenApi {
    let mut spec = api().split_for_parts().1;
    spec.merge(routes::media::router().split_for_parts().1);
    spec
}

/// Every `/v1` route with its OpenAPI description (but media's: [`routes::media`], whose
/// bodies are streams with a limit of their own).
fn api() -> OpenApiRouter<RestState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi_base())
        .merge(routes::auth::router())
        .merge(routes::sign_in::router())
        .merge(routes::passwords::router())
        .merge(routes::email_verification::router())
        .merge(routes::users::router())
        .merge(routes::avatars::router())
        .merge(routes::sessions::router())
        .merge(routes::account_data::router())
        .merge(routes::conversations::router())
        .merge(routes::groups::router())
        .merge(routes::members::router())
        .merge(routes::privacy::router())
        .merge(routes::messages::router())
        .merge(routes::message_changes::router())
        .merge(routes::reactions::router())
        .merge(routes::threads::router())
        .merge(routes::search::router())
        .merge(routes::sync::router())
}
