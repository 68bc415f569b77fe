//! `/v1/auth/providers`: sign-in through external identity providers (OpenID Connect and
//! OAuth 2.0, seeds 001 and 002), and `/v1/users/me/identities`, the links in settings.
//!
//! The browser's round trip: the web client POSTs `authorize` (or, to link, the identity's
//! path under `/v1/users/me/identities`) and sends the browser to the
//! `authorization_url` it gets; the provider sends it back to `callback`, which answers with
//! a redirect into the web client carrying, in the URL's fragment (never sent to a server, so
//! never in a log), a one-time code the client trades for a session at `handoff`. The cookie
//! set by `authorize` proves the callback comes back to the browser that started the flow.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{Callback, SignInIntent, SignInOutcome};
use hearth_proto::{
    AuthorizeRequest, AuthorizeResponse, Envelope, ErrorEnvelope, HandoffRequest, IdentityDto,
    IdentityList, Ok, ProviderDto, ProviderList, SessionResponse, UserDto,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Client, ClientIp, Query};
use crate::json::Json;
use crate::render::ok;
use crate::routes::auth::tokens;
use crate::{ApiError, RestState};

/// The cookie that binds a flow to the browser that started it.
const BINDING_COOKIE: &str = "hearth_sign_in";
/// The only path the cookie is sent to.
const COOKIE_PATH: &str = "/v1/auth/providers";

pub(crate) fn router() -> OpenApiRouter<RestState> {
    OpenApiRouter::new()
        .routes(routes!(providers))
        .routes(routes!(authorize))
        .routes(routes!(callback))
        .routes(routes!(handoff))
        .routes(routes!(identities))
        .routes(routes!(link, unlink))
}

/// The identity providers people can sign in with.
#[utoipa::path(get, path = "/v1/auth/providers", tag = "auth",
    responses((status = 200, description = "The configured providers", body = Envelope<ProviderList>)))]
async fn providers(State(state): State<RestState>) -> Response {
    let providers = state
        .app
        .sign_in
        .providers()
        .into_iter()
        .map(|info| ProviderDto {
            id: info.id,
            display_name: info.display_name,
        })
        .collect();
    ok(ProviderList { providers })
}

/// Start signing in with a provider: send the browser to the `authorization_url` answered.
/// Sets the cookie the callback checks.
#[utoipa::path(post, path = "/v1/auth/providers/{provider}/authorize", tag = "auth",
    request_body = AuthorizeRequest,
    params(("provider" = String, Path, description = "The provider's id")),
    responses(
        (status = 200, description = "Started; go to `authorization_url`", body = Envelope<AuthorizeResponse>),
        (status = 404, description = "No such provider", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
        (status = 503, description = "The provider cannot be reached", body = ErrorEnvelope),
    ))]
async fn authorize(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    axum::extract::Path(provider): axum::extract::Path<String>,
    Json(body): Json<AuthorizeRequest>,
) -> Result<Response, ApiError> {
    begin(&state, &provider, SignInIntent::SignIn, body, ip).await
}

/// Start linking a provider to my account: send the browser to the `authorization_url`
/// answered; the callback comes back with `#linked=<provider>`.
#[utoipa::path(post, path = "/v1/users/me/identities/{provider}", tag = "users",
    security(("bearer" = [])),
    request_body = AuthorizeRequest,
    params(("provider" = String, Path, description = "The provider's id")),
    responses(
        (status = 200, description = "Started; go to `authorization_url`", body = Envelope<AuthorizeResponse>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 404, description = "No such provider", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
        (status = 503, description = "The provider cannot be reached", body = ErrorEnvelope),
    ))]
async fn link(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    Auth(caller): Auth,
    axum::extract::Path(provider): axum::extract::Path<String>,
    Json(body): Json<AuthorizeRequest>,
) -> Result<Response, ApiError> {
    begin(&state, &provider, SignInIntent::Link(caller), body, ip).await
}

/// Starts a flow and answers where to send the browser, with the binding cookie.
async fn begin(
    state: &RestState,
    provider: &str,
    intent: SignInIntent,
    body: AuthorizeRequest,
    ip: std::net::IpAddr,
) -> Result<Response, ApiError> {
    let begun = state
        .app
        .sign_in
        .begin(provider, intent, body.return_to.as_deref(), ip)
        .await?;
    let cookie = binding_cookie(
        &begun.browser_binding,
        hearth_app::FLOW_TTL.whole_seconds(),
        state.secure_cookies,
    );
    let mut response = ok(AuthorizeResponse {
        authorization_url: begun.authorization_url,
    });
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// What the provider's redirect carries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackQuery {
    /// The state `authorize` sent.
    state: Option<String>,
    /// The authorization code.
    code: Option<String>,
    /// Set when the person declined or the provider refused.
    error: Option<String>,
}

/// Where the provider sends the browser back. Answers with a redirect into the web client:
/// `#sign_in=<code>` (trade it at `handoff`), `#linked=<provider>`, or
/// `#sign_in_error=<reason>` (`invalid_state`, `denied`, `rejected`, `provider_unavailable`,
/// `identity_in_use`, `account_disabled`, `unknown_provider`, `rate_limited`, `unavailable`).
#[utoipa::path(get, path = "/v1/auth/providers/{provider}/callback", tag = "auth",
    params(("provider" = String, Path, description = "The provider's id"), CallbackQuery),
    responses(
        (status = 303, description = "Back to the web client, with the outcome in the fragment"),
        (status = 400, description = "An unreadable query string", body = ErrorEnvelope),
    ))]
async fn callback(
    State(state): State<RestState>,
    ClientIp(ip): ClientIp,
    axum::extract::Path(provider): axum::extract::Path<String>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let callback = Callback {
        state: query.state,
        code: query.code,
        error: query.error,
        browser_binding: cookie_value(&headers, BINDING_COOKIE),
    };
    let location = match state.app.sign_in.complete(&provider, callback, ip).await {
        Ok(SignInOutcome::SignedIn { handoff, return_to }) => {
            format!("{}#sign_in={handoff}", return_to.as_deref().unwrap_or("/"))
        }
        Ok(SignInOutcome::Linked { return_to }) => {
            let provider: String = provider
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "_-".contains(*c))
                .collect();
            format!("{}#linked={provider}", return_to.as_deref().unwrap_or("/"))
        }
        Err(err) => {
            tracing::info!(reason = err.code(), "sign-in through a provider failed");
            format!("/#sign_in_error={}", err.code())
        }
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, location);
    }
    // The flow is spent whatever happened: forget its cookie.
    headers.insert(
        header::SET_COOKIE,
        binding_cookie("", 0, state.secure_cookies),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Trade the one-time code of a finished sign-in for a session (the same answer as login).
#[utoipa::path(post, path = "/v1/auth/providers/handoff", tag = "auth",
    request_body = HandoffRequest,
    responses(
        (status = 200, description = "Signed in", body = Envelope<SessionResponse>),
        (status = 401, description = "Unknown, used or expired code", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
async fn handoff(
    State(state): State<RestState>,
    client: Client,
    Json(body): Json<HandoffRequest>,
) -> Result<Response, ApiError> {
    let client = client.named(body.device_name);
    let (user, session) = state.app.sign_in.redeem(&body.code, &client).await?;
    Ok(ok(SessionResponse {
        user: UserDto::from(&user),
        tokens: tokens(session),
    }))
}

/// Linked identities as the wire shows them, each with its provider's name to show.
pub(crate) fn identity_dtos(
    state: &RestState,
    linked: Vec<hearth_app::ExternalIdentity>,
) -> Vec<IdentityDto> {
    let names = state.app.sign_in.providers();
    linked
        .into_iter()
        .map(|identity| IdentityDto {
            display_name: names
                .iter()
                .find(|info| info.id == identity.provider)
                .map_or_else(
                    || identity.provider.clone(),
                    |info| info.display_name.clone(),
                ),
            provider: identity.provider,
            email: identity.email,
            linked_at: identity.linked_at,
        })
        .collect()
}

/// The identity providers linked to my account.
#[utoipa::path(get, path = "/v1/users/me/identities", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The linked providers", body = Envelope<IdentityList>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
async fn identities(
    State(state): State<RestState>,
    Auth(caller): Auth,
) -> Result<Response, ApiError> {
    let linked = state.app.sign_in.identities(caller).await?;
    let identities = identity_dtos(&state, linked);
    Ok(ok(IdentityList { identities }))
}

/// Unlink an identity provider from my account (refused when it is my only way to sign in).
#[utoipa::path(delete, path = "/v1/users/me/identities/{provider}", tag = "users",
    security(("bearer" = [])),
    params(("provider" = String, Path, description = "The provider's id")),
    responses(
        (status = 200, description = "Unlinked", body = Envelope<Ok>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
        (status = 404, description = "Not linked", body = ErrorEnvelope),
        (status = 409, description = "The only way left to sign in", body = ErrorEnvelope),
    ))]
async fn unlink(
    State(state): State<RestState>,
    Auth(caller): Auth,
    axum::extract::Path(provider): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    state.app.sign_in.unlink(caller, &provider).await?;
    Ok(ok(Ok { ok: true }))
}

/// The binding cookie with `value`, living `max_age` seconds (0: delete it).
fn binding_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{BINDING_COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    );
    // The value is base64url from our own random bytes: always a valid header.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the cookie `name` the request carries.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hearth_sign_in=xyz; b=2"),
        );
        assert_eq!(
            cookie_value(&headers, BINDING_COOKIE).as_deref(),
            Some("xyz")
        );
        assert_eq!(cookie_value(&headers, "missing"), None);
    }

    #[test]
    fn the_binding_cookie_is_http_only_lax_and_secure_over_https() {
        let cookie = binding_cookie("v", 600, true);
        let text = cookie.to_str().unwrap_or_default();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax"),
            "{text}"
        );
        assert!(text.ends_with("; Secure"), "{text}");
        assert!(text.contains("Path=/v1/auth/providers"), "{text}");
    }
}
