//! Presence, viewers, typing and receipts.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_presence_follows_the_first_and_last_device() {
    let app = TestApp::spawn().await;
    let (alice, bob, _dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;

    let alice_phone = app.ws(&alice).await;
    let online = bob_ws.next_of("presence").await;
    assert_eq!(online["user_id"], alice.user_id.as_str());
    assert_eq!(online["status"], "online");

    let alice_laptop = app.ws(&alice).await;
    alice_phone.close().await;
    alice_laptop.close().await;
    // The second device coming and the first going announce nothing: the next presence event
    // Bob hears is Alice going offline when her last device closes.
    let offline = bob_ws.next_of("presence").await;
    assert_eq!(offline["user_id"], alice.user_id.as_str());
    assert_eq!(offline["status"], "offline");
    assert!(offline["last_seen_at"].as_str().is_some());
}

#[tokio::test]
async fn test_ready_carries_the_presence_of_contacts() {
    let app = TestApp::spawn().await;
    let (alice, bob, _dm) = app.alice_and_bob().await;
    let _bob_ws = app.ws(&bob).await;
    let mut alice_ws = app.ws_connect(&format!("?token={}", alice.access)).await;
    let ready = alice_ws.next().await;
    let presence = ready["presence"].as_array().unwrap();
    assert_eq!(presence.len(), 1);
    assert_eq!(presence[0]["user_id"], bob.user_id.as_str());
    assert_eq!(presence[0]["status"], "online");
}

#[tokio::test]
async fn test_presence_does_not_travel_through_a_conversation_larger_than_its_circle() {
    let app = TestApp::spawn().await;
    let (alice, bob, _dm) = app.alice_and_bob().await;
    let room = app
        .create_conversation(&alice, "room", "Big Room", &[])
        .await;
    // The circle is 100 members (`PRESENCE_CIRCLE`): with Alice, 101.
    let (server, room) = (&app, room.as_str());
    let members = futures::future::join_all((0..100).map(|n| async move {
        let member = server.register(&format!("member{n}")).await;
        server.join(&member, room).await.expect(200);
        member
    }))
    .await;
    let mut alice_ws = app.ws_connect(&format!("?token={}", alice.access)).await;
    let ready = alice_ws.next().await;
    assert_eq!(
        ready["presence"].as_array().map(Vec::len),
        Some(1),
        "Bob only: {ready}"
    );

    let _member_ws = app.ws(&members[0]).await;
    let _bob_ws = app.ws(&bob).await;
    // The room member came online first; the first presence Alice hears is Bob's.
    let online = alice_ws.next_of("presence").await;
    assert_eq!(online["user_id"], bob.user_id.as_str());
}

#[tokio::test]
async fn test_subscribe_answers_online_users_and_tells_other_viewers() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    let subscribed = alice_ws.subscribe(&dm).await;
    assert_eq!(subscribed["type"], "subscribed");
    assert_eq!(subscribed["online_users"].as_array().unwrap().len(), 1);

    let bobs = bob_ws.subscribe(&dm).await;
    let names: Vec<_> = bobs["online_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    let joined = alice_ws.next_of("user_joined").await;
    assert_eq!(joined["user"]["username"], "bob");

    let left = bob_ws
        .request(json!({ "action": "unsubscribe", "conversation_id": dm }))
        .await;
    assert_eq!(left["type"], "unsubscribed");
    assert_eq!(
        alice_ws.next_of("user_left").await["user"]["id"],
        bob.user_id.as_str()
    );
}

#[tokio::test]
async fn test_subscribing_to_someone_elses_or_an_unknown_conversation_fails() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let eve = app.register("eve").await;
    let mut ws = app.ws(&eve).await;
    let forbidden = ws.subscribe(&dm).await;
    assert_eq!(forbidden["code"], "forbidden");
    let unknown = ws
        .request(json!({ "action": "subscribe", "conversation_id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(unknown["code"], "not_found");
}

#[tokio::test]
async fn test_typing_reaches_other_viewers_and_expires() {
    let app = TestApp::spawn_with(|c| {
        c.realtime.typing_ttl_ms = 300;
        c.realtime.typing_throttle_ms = 100;
    })
    .await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    alice_ws.subscribe(&dm).await;
    bob_ws.subscribe(&dm).await;

    alice_ws
        .send(json!({ "action": "user_typing", "room_id": dm }))
        .await;
    let typing = bob_ws.next_of("typing_indicator").await;
    assert_eq!(typing["user"]["username"], "alice");
    assert_eq!(typing["typing"], true);
    assert_eq!(typing["expires_in_ms"], 300);
    let expired = bob_ws.next_of("typing_indicator").await;
    assert_eq!(
        expired["typing"], false,
        "the indicator expires without a repeat"
    );
}

#[tokio::test]
async fn test_sending_the_message_ends_the_typing_indicator() {
    let app = TestApp::spawn().await; // default TTL of 5 s: an expiry would come too late
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    alice_ws.subscribe(&dm).await;
    bob_ws.subscribe(&dm).await;
    alice_ws
        .send(json!({ "action": "user_typing", "conversation_id": dm }))
        .await;
    assert_eq!(bob_ws.next_of("typing_indicator").await["typing"], true);
    alice_ws.request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k", "content": "done" })).await;
    assert_eq!(bob_ws.next_of("typing_indicator").await["typing"], false);
}

#[tokio::test]
async fn test_typing_needs_a_subscription() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut ws = app.ws(&alice).await;
    let refused = ws
        .request(json!({ "action": "user_typing", "conversation_id": dm }))
        .await;
    assert_eq!(refused["code"], "forbidden");
}

#[tokio::test]
async fn test_receipts_move_the_senders_delivery_status() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    let ack = alice_ws
        .request(json!({ "action": "send_message", "conversation_id": dm, "client_message_id": "k", "content": "hi" }))
        .await;
    let seq = ack["message"]["seq"].as_i64().unwrap();
    assert_eq!(ack["message"]["status"], "sent");
    let status_path = format!("/v1/conversations/{dm}/messages");

    bob_ws
        .send(json!({ "action": "mark_delivered", "conversation_id": dm, "seq": seq }))
        .await;
    let delivered = alice_ws.next_of("receipt").await;
    assert_eq!(
        (delivered["status"].as_str(), delivered["seq"].as_i64()),
        (Some("delivered"), Some(seq))
    );
    assert_eq!(delivered["user_id"], bob.user_id.as_str());
    let listed = app.get(&status_path, &alice.access).await.expect(200);
    assert_eq!(listed.data()["messages"][0]["status"], "delivered");

    app.post(
        &format!("/v1/conversations/{dm}/read"),
        &bob.access,
        json!({ "seq": seq }),
    )
    .await
    .expect(200);
    let read = alice_ws.next_of("receipt").await;
    assert_eq!(
        read["status"], "read",
        "a read marker moved over REST is pushed too"
    );
    let listed = app.get(&status_path, &alice.access).await.expect(200);
    assert_eq!(listed.data()["messages"][0]["status"], "read");
    let one = listed.data()["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fetched = app
        .get(&format!("{status_path}/{one}"), &alice.access)
        .await
        .expect(200);
    assert_eq!(
        fetched.data()["status"],
        "read",
        "one message answers its status too"
    );
    // Bob's own devices hear his receipts as well (to clear unread badges everywhere).
    assert_eq!(bob_ws.next_of("receipt").await["status"], "delivered");
}

#[tokio::test]
async fn test_delivered_over_rest_moves_the_marker() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k", "hi").await.expect(201);
    let marker = app
        .post(
            &format!("/v1/conversations/{dm}/delivered"),
            &bob.access,
            json!({ "seq": 2 }),
        )
        .await
        .expect(200);
    assert_eq!(marker.data()["last_delivered_seq"], 2);
    app.post(
        &format!("/v1/conversations/{dm}/delivered"),
        &bob.access,
        json!({ "seq": -1 }),
    )
    .await
    .expect_error(422, "validation_failed");
    let eve = app.register("eve").await;
    app.post(
        &format!("/v1/conversations/{dm}/delivered"),
        &eve.access,
        json!({ "seq": 1 }),
    )
    .await
    .expect_error(403, "forbidden");
}
