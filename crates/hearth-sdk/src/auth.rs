//! Accounts and sessions: register, login, refresh, logout, the caller's profile and finding
//! people.

use hearth_proto::{
    LoginRequest, RegisterRequest, SessionResponse, UpdateProfileRequest, UserDto, UserList,
};
use reqwest::Method;

use crate::client::{Auth, Call};
use crate::{Client, ClientError};

impl Client {
    /// `POST /v1/auth/register`: creates an account and signs it in. The answer's `tokens`
    /// make a signed-in client with [`signed_in`](Self::signed_in).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), hearth_sdk::ClientError> {
    /// let anonymous = hearth_sdk::Client::new("http://127.0.0.1:8080")?;
    /// let session = anonymous.register("alice", "correct horse battery").await?;
    /// let alice = anonymous.signed_in(session.tokens);
    /// # Ok(()) }
    /// ```
    pub async fn register(
        &self,
        username: &str,
        password: &str,
    ) -> Result<SessionResponse, ClientError> {
        let body = RegisterRequest {
            username: username.to_owned(),
            display_name: None,
            password: password.to_owned(),
            email: None,
            device_name: None,
        };
        self.execute(
            Call::new(Method::POST, &["v1", "auth", "register"], Auth::Anonymous).json(&body)?,
        )
        .await
    }

    /// `POST /v1/auth/login`: starts a new session.
    ///
    /// ```no_run
    /// # async fn demo(anonymous: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// let session = anonymous.login("alice", "correct horse battery").await?;
    /// let alice = anonymous.signed_in(session.tokens);
    /// # Ok(()) }
    /// ```
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<SessionResponse, ClientError> {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
            device_name: None,
        };
        self.execute(
            Call::new(Method::POST, &["v1", "auth", "login"], Auth::Anonymous).json(&body)?,
        )
        .await
    }

    /// `POST /v1/auth/refresh`, now: trades the refresh token for a new pair. Calls refresh
    /// by themselves when the server refuses the access token, so an app rarely needs this.
    /// Concurrent refreshes (this one and those of calls) are one request to the server.
    ///
    /// Fails with [`ClientError::SessionExpired`], and signs the client out, when the server
    /// refuses the refresh token.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// alice.refresh().await?;
    /// let fresh = alice.tokens().expect("signed in");
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&self) -> Result<(), ClientError> {
        let session = self.signed_in_session()?;
        let (_, generation) = session.current()?;
        session.refreshed_after(self, generation).await.map(drop)
    }

    /// `POST /v1/auth/logout`: ends the session on the server (revoking its refresh tokens)
    /// and signs this client, and every clone of it, out; later calls fail with
    /// [`ClientError::NotSignedIn`]. The client is signed out even if the server could not
    /// be told (the error says so). Signing out a session that already ended does nothing.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// alice.logout().await?;
    /// assert!(alice.tokens().is_none());
    /// # Ok(()) }
    /// ```
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.signed_in_session()?.logout(self).await
    }

    /// `GET /v1/users/me`: the caller's account.
    pub async fn me(&self) -> Result<UserDto, ClientError> {
        self.execute(Call::new(Method::GET, &["v1", "users", "me"], Auth::Bearer))
            .await
    }

    /// `PATCH /v1/users/me`: changes the caller's profile (absent fields keep their value);
    /// answers the account as it is now. A name that breaks its rule is `422` naming the field.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// let change = hearth_proto::UpdateProfileRequest {
    ///     display_name: Some("Alice Liddell".to_owned()),
    ///     about: Some("Curiouser and curiouser.".to_owned()),
    /// };
    /// let me = alice.update_profile(&change).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_profile(
        &self,
        change: &UpdateProfileRequest,
    ) -> Result<UserDto, ClientError> {
        let call = Call::new(Method::PATCH, &["v1", "users", "me"], Auth::Bearer).json(change)?;
        self.execute(call).await
    }

    /// `GET /v1/users/search`: other users whose username or display name starts with
    /// `query` (1–64 characters), by username; `limit` 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// let found = alice.search_users("bo", Some(10)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn search_users(
        &self,
        query: &str,
        limit: Option<u32>,
    ) -> Result<Vec<UserDto>, ClientError> {
        let call = Call::new(Method::GET, &["v1", "users", "search"], Auth::Bearer)
            .query("query", Some(query))
            .query("limit", limit);
        self.execute::<UserList>(call).await.map(|list| list.users)
    }
}
