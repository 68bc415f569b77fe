//! A connection to `/v1/ws`.

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::ClientError;

/// Bytes read per `read` call. tungstenite zero-fills its read buffer before every read
/// attempt, so its 128 KiB default costs a 128 KiB `memset` per event received: most of a
/// load generator's CPU when it holds thousands of sockets. Larger events are read in steps.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// One device's socket.
#[derive(Debug)]
pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// Connects and waits for the `ready` event.
    pub(crate) async fn open(url: &str) -> Result<Self, ClientError> {
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
        // `true`: TCP_NODELAY — actions are small frames; Nagle would hold each one until the
        // server's delayed ACK (40 ms on Linux).
        let (stream, _) =
            tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
        let mut socket = Self { stream };
        let ready = socket.next_event().await?;
        if ready.get("type").and_then(Value::as_str) != Some("ready") {
            return Err(ClientError::Decode(format!("expected ready, got {ready}")));
        }
        Ok(socket)
    }

    /// Sends an action.
    pub async fn send(&mut self, action: &Value) -> Result<(), ClientError> {
        self.stream.send(Message::text(action.to_string())).await?;
        Ok(())
    }

    /// The next event (pings are answered on the way).
    pub async fn next_event(&mut self) -> Result<Value, ClientError> {
        let text = self.next_text().await?;
        serde_json::from_str(&text).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// The next event as the server sent it, unparsed (for load generators that must not
    /// spend their CPU on JSON).
    pub async fn next_text(&mut self) -> Result<String, ClientError> {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    return Err(ClientError::Closed(frame.map(|f| u16::from(f.code))));
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => return Err(err.into()),
                None => return Err(ClientError::Closed(None)),
            }
        }
    }

    /// The next event of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Result<Value, ClientError> {
        loop {
            let event = self.next_event().await?;
            if event.get("type").and_then(Value::as_str) == Some(kind) {
                return Ok(event);
            }
        }
    }

    /// The connection's TCP stream, for a load generator that scans the raw bytes of many
    /// sockets instead of decoding frames (the server's frames are unmasked: each event's
    /// JSON is in the stream as sent). Frames already buffered are dropped, and pings are no
    /// longer answered, so a server closes the stream after two of its ping intervals.
    /// `None` over TLS.
    pub fn into_tcp(self) -> Option<TcpStream> {
        match self.stream.into_inner() {
            MaybeTlsStream::Plain(stream) => Some(stream),
            _ => None,
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) -> Result<(), ClientError> {
        self.stream.close(None).await?;
        Ok(())
    }
}
