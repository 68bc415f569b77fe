//! gRPC test helpers: a tonic client over h2c to the test server's port (the same port as
//! HTTP), requests with bearer metadata, the `hearth-code` trailer of a refusal, and service
//! tokens made by the real `hearth admin service-token`.

use hearth_grpc::pb::federation_service_client::FederationServiceClient;
use hearth_grpc::pb::messenger_service_client::MessengerServiceClient;
use hearth_grpc::pb::{SendMessageRequest, SendMessageResponse};
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::lifecycle::hearth;
use crate::support::TestApp;

impl TestApp {
    /// A gRPC channel to the server (HTTP/2 without TLS, on the HTTP port).
    pub async fn grpc_channel(&self) -> Channel {
        tonic::transport::Endpoint::from_shared(self.base.clone())
            .expect("endpoint")
            .connect()
            .await
            .expect("gRPC connect")
    }

    /// A messenger client.
    pub async fn messenger(&self) -> MessengerServiceClient<Channel> {
        MessengerServiceClient::new(self.grpc_channel().await)
    }

    /// A federation client.
    pub async fn federation(&self) -> FederationServiceClient<Channel> {
        FederationServiceClient::new(self.grpc_channel().await)
    }

    /// A service token for `name`, made by `hearth admin service-token` on this server's
    /// data (SQLite) or database (PostgreSQL).
    pub fn service_token(&self, name: &str) -> String {
        let mut command = hearth();
        command
            .args(["admin", "service-token", "--name", name, "--data"])
            .arg(self.data_dir());
        if let Some(url) = &self.config.database.url {
            command.env("DATABASE_URL", url);
        }
        let output = command.output().expect("run hearth admin service-token");
        assert!(
            output.status.success(),
            "service-token failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("token is text")
            .trim()
            .to_owned()
    }
}

/// `message` with `authorization: Bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("metadata value"),
    );
    request
}

/// A `SendMessage` request.
pub fn send_request(
    conversation: &str,
    sender: &str,
    content: &str,
    key: &str,
) -> SendMessageRequest {
    SendMessageRequest {
        conversation_id: conversation.to_owned(),
        sender_id: sender.to_owned(),
        content: content.to_owned(),
        client_message_id: Some(key.to_owned()),
        attachment_ids: Vec::new(),
    }
}

/// Sends through `SendMessage` as `token`; the answer.
pub async fn grpc_send(
    client: &mut MessengerServiceClient<Channel>,
    token: &str,
    request: SendMessageRequest,
) -> Result<SendMessageResponse, Status> {
    client
        .send_message(authed(request, token))
        .await
        .map(tonic::Response::into_inner)
}

/// Asserts a refusal with this gRPC code and `hearth-code`, and a message.
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, hearth: &str) {
    let status = result.expect_err("a refusal");
    assert_eq!(status.code(), code, "{status:?}");
    assert_eq!(
        status
            .metadata()
            .get("hearth-code")
            .and_then(|v| v.to_str().ok()),
        Some(hearth),
        "{status:?}"
    );
    assert!(!status.message().is_empty(), "{status:?}");
}
