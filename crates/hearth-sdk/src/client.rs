//! The typed REST client.

use std::collections::HashMap;

use hearth_proto::{
    Bootstrap, Changes, ConversationDto, CreateConversationRequest, Envelope, ErrorEnvelope,
    LoginRequest, MessageDto, MessagePage, RegisterRequest, SendMessageRequest, SessionResponse,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{ClientError, Socket};

/// A client of one Hearth server, optionally signed in. Cheap to clone: clones share one
/// connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    access_token: Option<String>,
}

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            access_token: None,
        })
    }

    /// The same client, signed in with `access_token`.
    pub fn with_token(&self, access_token: &str) -> Self {
        Self {
            access_token: Some(access_token.to_owned()),
            ..self.clone()
        }
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.access_token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
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
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `GET /healthz`: whether the server answers.
    pub async fn health(&self) -> Result<(), ClientError> {
        self.get::<serde_json::Value>("/healthz").await.map(drop)
    }

    /// `POST /v1/auth/register`.
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
        };
        self.post("/v1/auth/register", &body).await
    }

    /// `POST /v1/auth/login`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<SessionResponse, ClientError> {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        self.post("/v1/auth/login", &body).await
    }

    /// `POST /v1/conversations/direct`.
    pub async fn direct(&self, other_user_id: Uuid) -> Result<ConversationDto, ClientError> {
        self.post(
            "/v1/conversations/direct",
            &serde_json::json!({ "other_user_id": other_user_id }),
        )
        .await
    }

    /// `POST /v1/conversations`: a group, room or channel owned by the caller.
    pub async fn create_conversation(
        &self,
        request: &CreateConversationRequest,
    ) -> Result<ConversationDto, ClientError> {
        self.post("/v1/conversations", request).await
    }

    /// `POST /v1/conversations/{id}/join`: joins a room or channel that takes no requests.
    pub async fn join(&self, conversation: Uuid) -> Result<ConversationDto, ClientError> {
        self.post(
            &format!("/v1/conversations/{conversation}/join"),
            &serde_json::json!({}),
        )
        .await
    }

    /// `POST /v1/conversations/{id}/messages`.
    pub async fn send_message(
        &self,
        conversation: Uuid,
        client_message_id: &str,
        content: &str,
    ) -> Result<MessageDto, ClientError> {
        let body = SendMessageRequest {
            client_message_id: client_message_id.to_owned(),
            content: content.to_owned(),
            reply_to: None,
        };
        self.post(&format!("/v1/conversations/{conversation}/messages"), &body)
            .await
    }

    /// `GET /v1/conversations/{id}/messages?after_seq=&limit=`.
    pub async fn messages_after(
        &self,
        conversation: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<MessagePage, ClientError> {
        self.get(&format!(
            "/v1/conversations/{conversation}/messages?after_seq={after_seq}&limit={limit}"
        ))
        .await
    }

    /// `GET /v1/sync/bootstrap`.
    pub async fn bootstrap(&self) -> Result<Bootstrap, ClientError> {
        self.get("/v1/sync/bootstrap").await
    }

    /// `GET /v1/sync/changes` after the given cursors.
    pub async fn changes(
        &self,
        cursors: &HashMap<Uuid, i64>,
        limit: u32,
    ) -> Result<Changes, ClientError> {
        let json =
            serde_json::to_string(cursors).map_err(|e| ClientError::Decode(e.to_string()))?;
        let encoded: String = json
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.get(&format!(
            "/v1/sync/changes?after_seq_by_conversation={encoded}&limit={limit}"
        ))
        .await
    }

    /// Opens `/v1/ws` with this client's token and waits for `ready`.
    pub async fn connect(&self) -> Result<Socket, ClientError> {
        let token = self
            .access_token
            .as_deref()
            .ok_or(ClientError::NotSignedIn)?;
        let url = format!(
            "{}/v1/ws?token={token}",
            self.base.replacen("http", "ws", 1)
        );
        Socket::open(&url).await
    }
}
