//! Socket.IO spoken raw over its websocket transport (Engine.IO 4, Socket.IO 5), for the
//! scenarios that measure the Socket.IO face: connect to the default namespace with a token,
//! emit with an ack id, read packets (answering the server's pings on the way).

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::population::Member;

/// A Socket.IO connection's websocket.
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `user`'s Socket.IO connection to the default namespace, connected (`40` answered).
pub(crate) async fn connect(user: &Member) -> anyhow::Result<Ws> {
    let base = user.client.base().replacen("http", "ws", 1);
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{base}/socket.io/?EIO=4&transport=websocket"))
            .await
            .context("Socket.IO websocket")?;
    let open = next_packet(&mut socket).await?;
    if !open.starts_with('0') {
        bail!("expected the Engine.IO open packet, got {open}");
    }
    let connect = format!("40{}", serde_json::json!({ "token": user.access_token }));
    socket.send(Message::text(connect)).await?;
    loop {
        let packet = next_packet(&mut socket).await?;
        if packet.starts_with("40") {
            return Ok(socket);
        }
        if packet.starts_with("44") {
            bail!("Socket.IO refused the connection: {packet}");
        }
    }
}

/// Emits `event` with `data`, asking for the ack `ack`.
pub(crate) async fn emit(
    socket: &mut Ws,
    ack: u64,
    event: &str,
    data: &serde_json::Value,
) -> anyhow::Result<()> {
    let packet = format!("42{ack}{}", serde_json::json!([event, data]));
    socket.send(Message::text(packet)).await?;
    Ok(())
}

/// Reads packets until the ack of `ack` arrives; its text.
pub(crate) async fn acked(socket: &mut Ws, ack: u64) -> anyhow::Result<String> {
    let prefix = format!("43{ack}[");
    loop {
        let packet = next_packet(socket).await?;
        if packet.starts_with(&prefix) {
            return Ok(packet);
        }
    }
}

/// The next Engine.IO message packet's text; a ping (`2`) is answered (`3`) and skipped.
pub(crate) async fn next_packet(socket: &mut Ws) -> anyhow::Result<String> {
    loop {
        match socket.next().await.context("the socket closed")?? {
            Message::Text(text) if text.as_str() == "2" => {
                socket.send(Message::text("3")).await?;
            }
            Message::Text(text) => return Ok(text.to_string()),
            Message::Close(_) => bail!("the socket closed"),
            _ => {}
        }
    }
}
