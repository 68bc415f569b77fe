//! Request extractors whose failures speak the envelope: the bearer token, path ids, query
//! strings and the client's address (JSON bodies: [`crate::json`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hearth_app::Caller;
use hearth_domain::{ConversationId, MessageId, UserId};
use hearth_proto::ErrorCode;

use crate::{ApiError, RestState};

/// The authenticated caller, from `Authorization: Bearer <access token>`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Auth(pub Caller);

impl FromRequestParts<RestState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &RestState) -> Result<Self, ApiError> {
        caller(&parts.headers, state).map(Self)
    }
}

/// The caller the `Authorization: Bearer` header names.
fn caller(headers: &HeaderMap, state: &RestState) -> Result<Caller, ApiError> {
    let header = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "missing Authorization: Bearer token",
        )
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(hearth_app::bearer_token)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "Authorization must be `Bearer <token>`",
            )
        })?;
    let caller = state.app.auth.authenticate(token)?;
    tracing::Span::current().record("user_id", tracing::field::display(caller.user_id));
    Ok(caller)
}

/// A query string. A string that cannot be read at all is 400.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub(crate) struct Query<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(ErrorCode::BadRequest, rejection.body_text())
    }
}

/// An optional integer query parameter: absent is `None`; anything but the decimal digits of
/// an integer (an empty value, spaces, `+5`, `5.0`) is a 422 naming the parameter, as the
/// OpenAPI document's `type: integer` says.
pub(crate) fn int_param(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    match value {
        None => Ok(None),
        Some(text) => text
            .parse()
            .ok()
            .filter(|_| !text.starts_with('+'))
            .map(Some)
            .ok_or_else(|| ApiError::field(name, "must be an integer")),
    }
}

/// The conversation id in the path. A malformed id names no conversation: 404.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConversationPath(pub ConversationId);

impl<S: Send + Sync> FromRequestParts<S> for ConversationPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "conversation not found"))?;
        raw.parse()
            .map(Self)
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "conversation not found"))
    }
}

/// The session id in the path. A malformed id names no session: 404.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SessionPath(pub hearth_domain::SessionId);

impl<S: Send + Sync> FromRequestParts<S> for SessionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let not_found = || ApiError::new(ErrorCode::NotFound, "session not found");
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        raw.parse().map(Self).map_err(|_| not_found())
    }
}

/// The conversation and message ids of a `…/conversations/{id}/messages/{message_id}…` path.
/// A malformed id names nothing: 404.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MessagePath(pub ConversationId, pub MessageId);

/// The named parameters of the matched path.
async fn path_params(parts: &mut Parts) -> Result<Vec<(String, String)>, ApiError> {
    Path::<Vec<(String, String)>>::from_request_parts(parts, &())
        .await
        .map(|Path(params)| params)
        .map_err(|_| ApiError::new(ErrorCode::NotFound, "no such route"))
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

impl<S: Send + Sync> FromRequestParts<S> for MessagePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        let conversation = param(&params, "id")
            .and_then(|raw| raw.parse().ok())
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "conversation not found"))?;
        let message = param(&params, "message_id")
            .and_then(|raw| raw.parse().ok())
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "message not found"))?;
        Ok(Self(conversation, message))
    }
}

/// The `{user_id}` of a path. A malformed id names nobody: 404 (DESIGN.md), not the 422 the
/// use case gives a malformed id in a body.
fn user_param(params: &[(String, String)]) -> Result<String, ApiError> {
    param(params, "user_id")
        .filter(|raw| raw.parse::<UserId>().is_ok())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "user not found"))
}

/// The conversation id and the `{user_id}` of a `…/conversations/{id}/members/{user_id}`
/// (or join-request) path. A malformed id of either is 404.
#[derive(Clone, Debug)]
pub(crate) struct MemberPath(pub ConversationId, pub String);

impl<S: Send + Sync> FromRequestParts<S> for MemberPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        let conversation = param(&params, "id")
            .and_then(|raw| raw.parse().ok())
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "conversation not found"))?;
        let user = user_param(&params)?;
        Ok(Self(conversation, user))
    }
}

/// The `{user_id}` of a `/v1/users/me/blocks/{user_id}` path.
#[derive(Clone, Debug)]
pub(crate) struct UserPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        user_param(&params).map(Self)
    }
}

/// The `{emoji}` of a reaction path, percent-decoded; checking it is the use case's job.
#[derive(Clone, Debug)]
pub(crate) struct EmojiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for EmojiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        param(&params, "emoji")
            .map(|emoji| Self(emoji.to_owned()))
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such route"))
    }
}

/// The client as a new session records it: its address and `User-Agent` (a request body may
/// add the name it gives its device).
#[derive(Clone, Debug)]
pub(crate) struct Client(pub hearth_app::ClientInfo);

/// Longest `User-Agent` read; the device name is summarised from its start.
const MAX_USER_AGENT: usize = 512;

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(MAX_USER_AGENT).collect());
        Ok(Self(hearth_app::ClientInfo {
            ip,
            device_name: None,
            user_agent,
        }))
    }
}

impl Client {
    /// The client, calling its device `device_name` when the body named it.
    pub(crate) fn named(self, device_name: Option<String>) -> hearth_app::ClientInfo {
        hearth_app::ClientInfo {
            device_name,
            ..self.0
        }
    }
}

/// The client's IP address, for per-IP rate limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(Self(ip))
    }
}
