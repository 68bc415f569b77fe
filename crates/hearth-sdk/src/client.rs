//! The typed REST client: who it speaks as, and how one call goes over the wire.
//!
//! A call is built as a [`Call`] (method, path segments, query, JSON body, whether it needs
//! the bearer token) so that it can be sent twice: once, and once more after a refresh if the
//! server answered `401` (see `session.rs`). The endpoints themselves are methods of
//! [`Client`] in `auth.rs`, `conversations.rs`, `messages.rs` and `sync.rs`; this module
//! holds no endpoint.

use std::fmt;
use std::sync::Arc;

use hearth_proto::{Envelope, ErrorCode, ErrorEnvelope, Tokens};
use reqwest::{Method, Url, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::session::{Session, TokensListener};
use crate::{ClientError, Socket};

/// The close code of a socket that refused its token (RFC 6455 "policy violation").
const POLICY_VIOLATION: u16 = 1008;

/// Whom a client speaks as.
#[derive(Clone)]
enum Credentials {
    /// Nobody: only the anonymous endpoints (register, login, health) work.
    Anonymous,
    /// A fixed access token: no refresh, so a `401` is the caller's to handle.
    Token(Arc<str>),
    /// A session that refreshes itself.
    Session(Arc<Session>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str("Anonymous"),
            // Never the token itself: a Debug print must not leak it into a log.
            Self::Token(_) => f.write_str("Token(<redacted>)"),
            Self::Session(session) => session.fmt(f),
        }
    }
}

/// Whether a call needs the bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Sent without a token (register, login, refresh, logout, health).
    Anonymous,
    /// Sent with the access token; refreshed and retried once on `401`.
    Bearer,
}

/// One API call, kept whole so that it can be sent again after a refresh.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    auth: Auth,
}

impl Call {
    /// A call of `method` on the path made of `segments` (each percent-encoded as needed).
    pub(crate) fn new(method: Method, segments: &[&str], auth: Auth) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            auth,
        }
    }

    /// Adds a path segment, e.g. an id or an emoji.
    pub(crate) fn segment(mut self, segment: impl ToString) -> Self {
        self.segments.push(segment.to_string());
        self
    }

    /// Adds `name=value` to the query when `value` is present.
    pub(crate) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }

    /// Sets the JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, ClientError> {
        self.body = Some(serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?);
        Ok(self)
    }
}

/// A client of one Hearth server: anonymous, holding a fixed access token, or signed in with
/// a session that refreshes itself. Cheap to clone: clones share one connection pool and, when
/// signed in, one session (a refresh by one clone serves them all).
///
/// ```no_run
/// # async fn demo() -> Result<(), hearth_sdk::ClientError> {
/// use hearth_sdk::Client;
///
/// let anonymous = Client::new("http://127.0.0.1:8080")?;
/// let session = anonymous.login("alice", "correct horse battery").await?;
/// let alice = anonymous.signed_in(session.tokens);
/// let conversations = alice.conversations().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
}

/// A server's base URL, checked.
fn parse_base(base: &str) -> Result<Url, ClientError> {
    let url = Url::parse(base.trim_end_matches('/'))
        .map_err(|e| ClientError::InvalidUrl(format!("{base}: {e}")))?;
    if url.cannot_be_a_base() {
        return Err(ClientError::InvalidUrl(format!("{url} cannot be a base")));
    }
    Ok(url)
}

impl Client {
    /// An anonymous client of the server at `base` (`http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let base = parse_base(base)?;
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            http,
            base,
            credentials: Credentials::Anonymous,
        })
    }

    /// The same credentials, speaking to the node of the same server at `base` (nodes of one
    /// server share their database, so a session is good on every node).
    pub fn on(&self, base: &str) -> Result<Self, ClientError> {
        Ok(Self {
            base: parse_base(base)?,
            ..self.clone()
        })
    }

    /// The same server, speaking with a fixed `access_token`. It is never refreshed: when it
    /// expires, calls fail with `401 unauthorized`. Prefer [`signed_in`](Self::signed_in).
    pub fn with_token(&self, access_token: &str) -> Self {
        Self {
            credentials: Credentials::Token(Arc::from(access_token)),
            ..self.clone()
        }
    }

    /// The same server, signed in with the `tokens` that register, login or a stored session
    /// gave. Every call refreshes the pair when the access token is refused (once, for every
    /// call that needs it at the same time) and retries.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), hearth_sdk::ClientError> {
    /// # let anonymous = hearth_sdk::Client::new("http://127.0.0.1:8080")?;
    /// let session = anonymous.register("alice", "correct horse battery").await?;
    /// let alice = anonymous.signed_in(session.tokens);
    /// assert_eq!(alice.me().await?.username, "alice");
    /// # Ok(()) }
    /// ```
    pub fn signed_in(&self, tokens: Tokens) -> Self {
        self.session(Session::new(tokens, None))
    }

    /// [`signed_in`](Self::signed_in), calling `on_refresh` with every pair a refresh brings,
    /// so the app can store the new refresh token (the old one stops working).
    ///
    /// ```no_run
    /// # fn demo(anonymous: &hearth_sdk::Client, tokens: hearth_proto::Tokens) {
    /// let alice = anonymous.signed_in_with(tokens, |fresh| {
    ///     // e.g. write fresh.refresh_token to the platform's keychain
    ///     let _ = &fresh.refresh_token;
    /// });
    /// # }
    /// ```
    pub fn signed_in_with(
        &self,
        tokens: Tokens,
        on_refresh: impl Fn(&Tokens) + Send + Sync + 'static,
    ) -> Self {
        let listener: TokensListener = Arc::new(on_refresh);
        self.session(Session::new(tokens, Some(listener)))
    }

    fn session(&self, session: Session) -> Self {
        Self {
            credentials: Credentials::Session(Arc::new(session)),
            ..self.clone()
        }
    }

    /// The current token pair of a signed-in client (after any refresh), to store for the
    /// next start; `None` when anonymous, holding a fixed token, or signed out.
    pub fn tokens(&self) -> Option<Tokens> {
        match &self.credentials {
            Credentials::Session(session) => session.tokens(),
            Credentials::Anonymous | Credentials::Token(_) => None,
        }
    }

    /// The server's base URL, as given (`http://127.0.0.1:8080`).
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    pub(crate) fn signed_in_session(&self) -> Result<&Session, ClientError> {
        match &self.credentials {
            Credentials::Session(session) => Ok(session),
            Credentials::Anonymous | Credentials::Token(_) => Err(ClientError::NotSignedIn),
        }
    }

    /// The access token to send now, for a call that needs one.
    pub(crate) fn access_token(&self) -> Result<String, ClientError> {
        match &self.credentials {
            Credentials::Anonymous => Err(ClientError::NotSignedIn),
            Credentials::Token(token) => Ok(token.to_string()),
            Credentials::Session(session) => Ok(session.current()?.0),
        }
    }

    /// Sends `call` as this client, refreshing and retrying once if a signed-in call is
    /// refused with `401`.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        if call.auth == Auth::Anonymous {
            return self.attempt(&call, None).await;
        }
        match &self.credentials {
            Credentials::Anonymous => Err(ClientError::NotSignedIn),
            Credentials::Token(token) => self.attempt(&call, Some(token)).await,
            Credentials::Session(session) => {
                let (token, generation) = session.current()?;
                match self.attempt(&call, Some(&token)).await {
                    Err(ClientError::Api {
                        code: ErrorCode::Unauthorized,
                        ..
                    }) => {
                        let token = session.refreshed_after(self, generation).await?;
                        self.attempt(&call, Some(&token)).await
                    }
                    answer => answer,
                }
            }
        }
    }

    /// Sends `call` once with `token` and reads the envelope.
    pub(crate) async fn attempt<T: DeserializeOwned>(
        &self,
        call: &Call,
        token: Option<&str>,
    ) -> Result<T, ClientError> {
        let mut request = self.http.request(call.method.clone(), self.url(call)?);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        if (200..300).contains(&status) {
            let envelope: Envelope<T> =
                serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))?;
            return Ok(envelope.data);
        }
        let error: ErrorEnvelope = serde_json::from_slice(&bytes).map_err(|_| {
            ClientError::Decode(format!("status {status} without an error envelope"))
        })?;
        Err(ClientError::Api {
            status,
            code: error.error.code,
            message: error.error.message,
            details: error.error.details,
        })
    }

    fn url(&self, call: &Call) -> Result<Url, ClientError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::InvalidUrl(self.base.to_string()))?
            .pop_if_empty()
            .extend(&call.segments);
        if !call.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// `GET /healthz`: whether the server answers.
    pub async fn health(&self) -> Result<(), ClientError> {
        self.execute::<serde_json::Value>(Call::new(Method::GET, &["healthz"], Auth::Anonymous))
            .await
            .map(drop)
    }

    /// Opens `/v1/ws` with this client's access token and waits for `ready`. A signed-in
    /// client whose token the socket refuses (close 1008, e.g. it expired) refreshes the
    /// session as a REST call would and connects once more.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// let mut socket = alice.connect().await?;
    /// let event = socket.next_of("new_message").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(&self) -> Result<Socket, ClientError> {
        let Credentials::Session(session) = &self.credentials else {
            return self.open_socket(&self.access_token()?).await;
        };
        let (token, generation) = session.current()?;
        match self.open_socket(&token).await {
            Err(ClientError::Closed(Some(POLICY_VIOLATION))) => {
                let token = session.refreshed_after(self, generation).await?;
                self.open_socket(&token).await
            }
            opened => opened,
        }
    }

    async fn open_socket(&self, token: &str) -> Result<Socket, ClientError> {
        let mut url = self.base.clone();
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme)
            .map_err(|()| ClientError::InvalidUrl(self.base.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| ClientError::InvalidUrl(self.base.to_string()))?
            .pop_if_empty()
            .extend(["v1", "ws"]);
        url.query_pairs_mut().append_pair("token", token);
        Socket::open(url.as_str()).await
    }
}
