//! A real WebSocket client (tokio-tungstenite) for the `/v1/ws` tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{Session, TestApp};

/// How long a test waits for an event that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// One device's connection.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_request: u64,
}

impl TestApp {
    /// `ws://…/v1/ws` + `query`, connected, nothing read yet.
    pub async fn ws_connect(&self, query: &str) -> WsClient {
        let url = format!("{}/v1/ws{query}", self.base.replacen("http://", "ws://", 1));
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket handshake");
        WsClient {
            stream,
            next_request: 1,
        }
    }

    /// A device of `who`, authenticated with `?token=`, past its `ready` event.
    pub async fn ws(&self, who: &Session) -> WsClient {
        let mut client = self.ws_connect(&format!("?token={}", who.access)).await;
        let ready = client.next().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        client
    }
}

impl WsClient {
    /// Sends a JSON action.
    pub async fn send(&mut self, action: Value) {
        self.stream
            .send(Message::text(action.to_string()))
            .await
            .expect("send frame");
    }

    /// Sends a raw frame.
    pub async fn send_raw(&mut self, message: Message) {
        self.stream.send(message).await.expect("send frame");
    }

    /// The next event (pings are answered by the library on the way).
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("an event within the patience")
                .expect("the connection is open")
                .expect("a frame");
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(&text).expect("events are JSON");
                }
                Message::Close(frame) => panic!("closed while waiting for an event: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next event of `kind`, skipping others (presence, receipts, … that the test does
    /// not look at).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let event = self.next().await;
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// The next event whose type is one of `kinds`, skipping others.
    pub async fn next_of_any(&mut self, kinds: &[&str]) -> Value {
        loop {
            let event = self.next().await;
            if kinds.iter().any(|kind| event["type"] == *kind) {
                return event;
            }
        }
    }

    /// Sends `action` with a fresh `request_id` and returns the event that answers it.
    pub async fn request(&mut self, mut action: Value) -> Value {
        let id = format!("r{}", self.next_request);
        self.next_request += 1;
        action["request_id"] = json!(id);
        self.send(action).await;
        loop {
            let event = self.next().await;
            if event["request_id"] == id.as_str() {
                return event;
            }
        }
    }

    /// The id of the next `message_ack`, or `None` when the server closes first (skipping
    /// other events).
    pub async fn next_message_ack_or_close(&mut self) -> Option<String> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("an answer within the patience");
            match message {
                Some(Ok(Message::Text(text))) => {
                    let event: Value = serde_json::from_str(&text).expect("events are JSON");
                    if event["type"] == "message_ack" {
                        return event["message"]["id"].as_str().map(str::to_owned);
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// Subscribes to a conversation and returns the `subscribed` answer.
    pub async fn subscribe(&mut self, conversation: &str) -> Value {
        self.request(json!({ "action": "subscribe", "conversation_id": conversation }))
            .await
    }

    /// Waits for the server to close; returns the close code and reason (skipping events).
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a close within the patience");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (u16::from(frame.code), frame.reason.to_string());
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                    return (u16::from(CloseCode::Abnormal), String::new());
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Closes from the client side.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
        // Read until the server's answer, so the server has seen the close.
        while let Ok(Some(Ok(_))) = tokio::time::timeout(PATIENCE, self.stream.next()).await {}
    }
}
