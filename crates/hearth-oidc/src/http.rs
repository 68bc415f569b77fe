//! The HTTP client the protocol crates call, over the server's own reqwest (their bundled
//! clients would pull in a second HTTP and TLS stack).
//!
//! Redirects are never followed: a token or discovery endpoint that redirects could send the
//! request (with the client secret) elsewhere. Every call is bounded by a timeout.

use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};

use crate::SettingsError;

/// How long one call to a provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The client every provider of this process shares.
pub(crate) fn client() -> Result<reqwest::Client, SettingsError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("hearth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| SettingsError::Http(err.to_string()))
}

/// A call failed before the provider answered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct CallError(String);

/// Sends one request of the protocol crates.
pub(crate) async fn send(
    client: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, CallError> {
    let request = reqwest::Request::try_from(request).map_err(|e| CallError(e.to_string()))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| CallError(e.without_url().to_string()))?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    if let Some(headers) = answer.headers_mut() {
        headers.extend(response.headers().clone());
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| CallError(e.without_url().to_string()))?;
    answer
        .body(body.to_vec())
        .map_err(|e| CallError(e.to_string()))
}
