//! Messages over sockets: every device of every member, in order; idempotent sends; sync after
//! a disconnect; a slow consumer dropped without slowing the others.

use serde_json::{Value, json};

use crate::support::TestApp;

fn seq(event: &Value) -> i64 {
    event["seq"].as_i64().expect("seq")
}

#[tokio::test]
async fn test_messages_reach_every_device_of_every_member_in_order() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_phone = app.ws(&alice).await;
    let mut alice_laptop = app.ws(&alice).await;
    let mut bob_phone = app.ws(&bob).await;

    let mut acked = Vec::new();
    for n in 0..5 {
        let ack = alice_phone
            .request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": format!("k{n}"), "content": format!("hello {n}") }))
            .await;
        assert_eq!(ack["type"], "message_ack", "{ack}");
        assert_eq!(ack["client_message_id"], format!("k{n}"));
        acked.push(seq(&ack["message"]));
    }
    assert_eq!(acked, [2, 3, 4, 5, 6]);
    for device in [&mut alice_laptop, &mut bob_phone] {
        let mut seen = Vec::new();
        while seen.len() < 5 {
            let event = device.next_of("new_message").await;
            assert_eq!(event["conversation_id"], dm.as_str());
            assert_eq!(event["message"]["seq"], event["seq"]);
            seen.push(seq(&event));
        }
        assert_eq!(seen, acked, "in order, no gap, no duplicate");
    }
}

#[tokio::test]
async fn test_the_sender_gets_its_acknowledgement_then_its_own_new_message() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;

    for n in 0..3 {
        alice_ws
            .send(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": format!("k{n}"), "content": "hi" }))
            .await;
        let first = alice_ws.next_of_any(&["message_ack", "new_message"]).await;
        let second = alice_ws.next_of_any(&["message_ack", "new_message"]).await;
        assert_eq!(first["type"], "message_ack", "{first}");
        assert_eq!(second["type"], "new_message", "{second}");
        assert_eq!(second["seq"], first["message"]["seq"]);
    }
}

#[tokio::test]
async fn test_a_message_sent_over_rest_is_pushed_over_the_socket() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;
    let sent = app
        .send(&alice, &dm, "rest-1", "via REST")
        .await
        .expect(201);
    let event = bob_ws.next_of("new_message").await;
    assert_eq!(event["message"]["id"], sent.data()["id"]);
    assert_eq!(event["message"]["content"], "via REST");
    assert_eq!(event["actor_id"], alice.user_id.as_str());
}

#[tokio::test]
async fn test_a_new_direct_conversation_is_announced_to_both() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut bob_ws = app.ws(&bob).await;
    let dm = app.direct(&alice, &bob).await;
    let event = bob_ws.next_of("conversation_created").await;
    assert_eq!(event["conversation_id"], dm.as_str());
    assert_eq!(event["seq"], 1);
    assert_eq!(event["member_ids"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn test_resends_over_sockets_and_rest_return_the_one_original() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    let send = json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "once", "content": "hi" });
    let first = ws.request(send.clone()).await;
    let over_rest = app.send(&alice, &dm, "once", "hi").await.expect(200);
    let again = ws.request(send).await;
    assert_eq!(first["message"]["id"], over_rest.data()["id"]);
    assert_eq!(again["message"], first["message"]);
    let conflict = ws
        .request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "once", "content": "changed" }))
        .await;
    assert_eq!(conflict["type"], "error");
    assert_eq!(conflict["code"], "conflict");

    // Bob heard about the message exactly once: the next message he hears is a new one.
    assert_eq!(
        bob_ws.next_of("new_message").await["message"]["id"],
        first["message"]["id"]
    );
    app.send(&alice, &dm, "twice", "next").await.expect(201);
    assert_eq!(
        bob_ws.next_of("new_message").await["message"]["client_message_id"],
        "twice"
    );
}

#[tokio::test]
async fn test_room_id_is_accepted_for_conversation_id() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    let ack = ws
        .request(json!({ "action": "send_message", "room_id": dm, "client_message_id": "k", "content": "seed 003 style" }))
        .await;
    assert_eq!(ack["type"], "message_ack");
}

#[tokio::test]
async fn test_sync_after_a_disconnect_returns_exactly_the_missed_events() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;
    app.send(&alice, &dm, "k1", "seen live").await.expect(201);
    let last_seen = seq(&bob_ws.next_of("new_message").await);
    bob_ws.close().await;

    for n in 0..3 {
        app.send(&alice, &dm, &format!("missed{n}"), &format!("missed {n}"))
            .await
            .expect(201);
    }
    let mut bob_ws = app.ws(&bob).await;
    let batch = bob_ws
        .request(
            json!({ "action": "sync", "conversation_id": dm, "after_seq": last_seen, "limit": 2 }),
        )
        .await;
    assert_eq!(batch["type"], "sync_batch");
    assert_eq!(batch["has_more"], true);
    let mut missed: Vec<Value> = batch["events"].as_array().unwrap().clone();
    let cursor = seq(missed.last().unwrap());
    let rest = bob_ws
        .request(json!({ "action": "sync", "conversation_id": dm, "after_seq": cursor }))
        .await;
    assert_eq!(rest["has_more"], false);
    missed.extend(rest["events"].as_array().unwrap().iter().cloned());
    let contents: Vec<_> = missed
        .iter()
        .map(|e| e["message"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["missed 0", "missed 1", "missed 2"]);
    assert_eq!(
        missed.iter().map(seq).collect::<Vec<_>>(),
        [last_seen + 1, last_seen + 2, last_seen + 3]
    );
}

#[tokio::test]
async fn test_a_slow_consumer_is_dropped_while_a_fast_one_keeps_receiving() {
    let app = TestApp::spawn_with(|c| c.realtime.queue_capacity = 8).await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut fast = app.ws(&bob).await;
    let mut slow = app.ws(&bob).await; // never reads until the end
    // 16 KB events: enough of them fill the kernel's socket buffers of the connection that does
    // not read, and then its queue.
    let big = "😀".repeat(4000);
    let total = 400;
    let senders = (0..8).map(|worker| {
        let (app, alice, dm, big) = (&app, &alice, &dm, &big);
        async move {
            for n in (worker..total).step_by(8) {
                app.send(alice, dm, &format!("k{n}"), big).await.expect(201);
            }
        }
    });
    let received = async {
        let mut count = 0;
        while count < total {
            fast.next_of("new_message").await;
            count += 1;
        }
        count
    };
    let ((), count) = tokio::join!(
        async {
            futures::future::join_all(senders).await;
        },
        received
    );
    assert_eq!(count, total, "the fast consumer got every message");

    let metrics = app.metrics().await;
    assert!(
        metrics.contains("hearth_realtime_slow_consumers_total 1"),
        "{metrics}"
    );
    let (code, reason) = slow.closed().await;
    if code != 1006 {
        // The close frame got out once the backlog drained.
        assert_eq!((code, reason.as_str()), (1013, "slow consumer, resync"));
    }
}

#[tokio::test]
async fn test_edits_deletions_and_reactions_are_pushed_with_their_seq() {
    use reqwest::Method;

    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;
    let sent = app.send(&alice, &dm, "k", "helo").await.expect(201);
    let id = sent.data()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/conversations/{dm}/messages/{id}");
    assert_eq!(bob_ws.next_of("new_message").await["seq"], 2);

    app.request(
        Method::PATCH,
        &path,
        Some(&alice.access),
        Some(json!({ "content": "hello" })),
    )
    .await
    .expect(200);
    let edited = bob_ws.next_of("message_updated").await;
    assert_eq!(
        (
            edited["seq"].as_i64(),
            edited["message"]["content"].as_str()
        ),
        (Some(3), Some("hello"))
    );

    app.request(
        Method::PUT,
        &format!("{path}/reactions/👍"),
        Some(&bob.access),
        None,
    )
    .await
    .expect(201);
    let reacted = bob_ws.next_of("reaction_added").await;
    assert_eq!(reacted["emoji"], "👍");
    assert_eq!(reacted["seq"], 4);

    app.request(Method::DELETE, &path, Some(&alice.access), None)
        .await
        .expect(200);
    let deleted = bob_ws.next_of("message_deleted").await;
    assert_eq!(deleted["seq"], 5);
    assert_eq!(deleted["message"]["deleted"], true);
    assert!(
        deleted["message"]["content"].is_null(),
        "a tombstone carries no content"
    );
}
