//! Shutdown and dead peers: sockets are told to reconnect, and nothing acknowledged is lost.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_shutdown_tells_sockets_to_reconnect_with_1012() {
    let mut app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    app.signal_shutdown();
    let (code, reason) = ws.closed().await;
    assert_eq!(code, 1012);
    assert!(reason.contains("reconnect"), "{reason}");
    app.stop().await;
}

#[tokio::test]
async fn test_no_acknowledged_message_is_lost_across_a_shutdown() {
    let mut app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut sockets = Vec::new();
    for who in [&alice, &bob, &alice, &bob] {
        sockets.push(app.ws(who).await);
    }
    // Four devices send as fast as they can; the server is told to stop while they do.
    let senders = sockets.into_iter().enumerate().map(|(device, mut ws)| {
        let dm = dm.clone();
        async move {
            let mut acked = Vec::new();
            for n in 0.. {
                let key = format!("d{device}-{n}");
                ws.send(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": key, "content": "x" })).await;
                match ws.next_message_ack_or_close().await {
                    Some(id) => acked.push(id),
                    None => break,
                }
            }
            acked
        }
    });
    let stopper = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.signal_shutdown();
    };
    let (acked, ()) = tokio::join!(futures::future::join_all(senders), stopper);
    let acked: BTreeSet<String> = acked.into_iter().flatten().collect();
    assert!(
        !acked.is_empty(),
        "some messages were acknowledged before the shutdown"
    );

    app.stop().await;
    let app = app.restart().await;
    let stored: BTreeSet<String> = app
        .all_messages(&alice, &dm)
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
}

#[tokio::test]
async fn test_a_peer_that_stops_answering_pings_is_dropped() {
    let app = TestApp::spawn_with(|c| c.realtime.ping_interval_secs = 1).await;
    let alice = app.register("alice").await;
    let mut ws = app.ws(&alice).await;
    // Not reading means not answering pings; the server gives up after two intervals.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let (code, _) = ws.closed().await;
    assert_eq!(code, 1006, "dropped without a closing handshake");
}
