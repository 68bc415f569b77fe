//! A signed-in session: the current token pair, and refreshing it once for everyone.
//!
//! Every request of a signed-in [`Client`](crate::Client) reads the access token here. When
//! the server answers `401 unauthorized` (the access token expired, or the server's signing
//! key changed), the request asks for a token newer than the one it used:
//!
//! - **Single flight.** One refresh runs at a time, behind an async lock. Each pair carries a
//!   generation; a request that used generation `g` and finds the pair already past `g` when
//!   it gets the lock takes the new token without refreshing again. So however many requests
//!   hit 401 together, the server sees one `POST /v1/auth/refresh`, and each request retries
//!   once with its answer.
//! - **A refused refresh ends the session.** The server refuses a refresh token that is
//!   unknown, expired, revoked or reused (`401`). Then the pair is dropped and every request
//!   waiting on, or coming after, the refresh fails with [`ClientError::SessionExpired`]
//!   without touching the network; the user signs in again.
//! - **Other failures keep the session.** A refresh that could not reach the server, or was
//!   rate limited, fails only the requests that waited for it: the refresh token may still be
//!   good (the server's grace window accepts it again if the answer was lost on the way).
//!
//! The pair never appears in `Debug` output, so it cannot reach a log through `{:?}`.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use hearth_proto::{ErrorCode, LogoutRequest, RefreshRequest, Tokens, TokensResponse};
use reqwest::Method;

use crate::client::{Auth, Call};
use crate::{Client, ClientError};

/// Called with every new pair a refresh brings, e.g. to persist the refresh token so that the
/// next start of the app resumes the session (the old refresh token no longer works).
pub(crate) type TokensListener = Arc<dyn Fn(&Tokens) + Send + Sync>;

/// Why a session is over.
#[derive(Clone, Debug)]
enum Ending {
    /// The user signed out ([`Client::logout`]).
    LoggedOut,
    /// The server refused the refresh token.
    Refused { code: ErrorCode, message: String },
}

impl Ending {
    fn error(&self) -> ClientError {
        match self {
            Self::LoggedOut => ClientError::NotSignedIn,
            Self::Refused { code, message } => ClientError::SessionExpired {
                code: *code,
                message: message.clone(),
            },
        }
    }
}

#[derive(Clone)]
enum State {
    /// Signed in with `tokens`; `generation` counts the refreshes so far.
    Active { tokens: Tokens, generation: u64 },
    /// Over; every request fails without being sent.
    Ended(Ending),
}

/// The token pair of one signed-in session, shared by every clone of its client.
pub(crate) struct Session {
    state: Mutex<State>,
    /// Held while a refresh or a logout runs: the single flight.
    flight: tokio::sync::Mutex<()>,
    listener: Option<TokensListener>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.lock() {
            State::Active { generation, .. } => format!("active (refreshed {generation} times)"),
            State::Ended(ending) => format!("ended ({ending:?})"),
        };
        f.debug_struct("Session").field("state", &state).finish()
    }
}

impl Session {
    pub(crate) fn new(tokens: Tokens, listener: Option<TokensListener>) -> Self {
        Self {
            state: Mutex::new(State::Active {
                tokens,
                generation: 0,
            }),
            flight: tokio::sync::Mutex::new(()),
            listener,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is replaced whole, never left half-written: a panic elsewhere cannot
        // have broken it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The access token to send and its generation, or why there is none.
    pub(crate) fn current(&self) -> Result<(String, u64), ClientError> {
        match &*self.lock() {
            State::Active { tokens, generation } => Ok((tokens.access_token.clone(), *generation)),
            State::Ended(ending) => Err(ending.error()),
        }
    }

    /// The current pair, if the session is active.
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        match &*self.lock() {
            State::Active { tokens, .. } => Some(tokens.clone()),
            State::Ended(_) => None,
        }
    }

    /// An access token newer than generation `used`: the one another request's refresh
    /// brought, or one this call refreshes for (see the module docs).
    pub(crate) async fn refreshed_after(
        &self,
        client: &Client,
        used: u64,
    ) -> Result<String, ClientError> {
        let _flight = self.flight.lock().await;
        let refresh_token = match &*self.lock() {
            State::Ended(ending) => return Err(ending.error()),
            State::Active { tokens, generation } if *generation != used => {
                return Ok(tokens.access_token.clone());
            }
            State::Active { tokens, .. } => tokens.refresh_token.clone(),
        };
        let call = Call::new(Method::POST, &["v1", "auth", "refresh"], Auth::Anonymous)
            .json(&RefreshRequest { refresh_token })?;
        match client.attempt::<TokensResponse>(&call, None).await {
            Ok(TokensResponse { tokens }) => {
                let access = tokens.access_token.clone();
                {
                    let mut state = self.lock();
                    let generation = match &*state {
                        State::Active { generation, .. } => generation + 1,
                        // Unreachable while the flight is held (only the flight ends a session).
                        State::Ended(ending) => return Err(ending.error()),
                    };
                    *state = State::Active {
                        tokens: tokens.clone(),
                        generation,
                    };
                }
                // Outside the lock: the app's code may read `tokens()` or take its time.
                if let Some(listener) = &self.listener {
                    listener(&tokens);
                }
                Ok(access)
            }
            Err(ClientError::Api {
                code: code @ ErrorCode::Unauthorized,
                message,
                ..
            }) => {
                tracing::info!("the server refused the refresh token; signed out");
                let ending = Ending::Refused { code, message };
                *self.lock() = State::Ended(ending.clone());
                Err(ending.error())
            }
            Err(other) => Err(other),
        }
    }

    /// Ends the session here, then on the server (revoking its refresh tokens there). The
    /// session is over locally whatever the server answers.
    pub(crate) async fn logout(&self, client: &Client) -> Result<(), ClientError> {
        let _flight = self.flight.lock().await;
        let refresh_token = match &*self.lock() {
            State::Active { tokens, .. } => tokens.refresh_token.clone(),
            // Already over (signed out, or the refresh was refused): nothing left to end.
            State::Ended(_) => return Ok(()),
        };
        *self.lock() = State::Ended(Ending::LoggedOut);
        let call = Call::new(Method::POST, &["v1", "auth", "logout"], Auth::Anonymous)
            .json(&LogoutRequest { refresh_token })?;
        match client.attempt::<hearth_proto::Ok>(&call, None).await {
            // Already over on the server (revoked, expired): the goal is reached.
            Ok(_)
            | Err(ClientError::Api {
                code: ErrorCode::Unauthorized,
                ..
            }) => Ok(()),
            Err(other) => Err(other),
        }
    }
}
