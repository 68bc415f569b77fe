//! The offline-first SDK against the real server: sends written while the server is away go
//! out when it is back, exactly once; a server killed mid-send loses nothing and duplicates
//! nothing; an expired access token is refreshed under the engine's feet.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use hearth_sdk::Client;
use hearth_sdk::offline::{Connection, LocalStatus, LocalStore, Offline};
use uuid::Uuid;

use crate::sdk_offline_support::{FAST, ServerProcess, until};
use crate::sdk_support::{PASSWORD, counting_client, expired_session};
use crate::support::TestApp;

/// Alice (whose client the test returns) and Bob registered on `base`, and their DM.
async fn alice_and_bob(base: &str) -> (Client, Client, Uuid) {
    let anonymous = Client::new(base).unwrap();
    let alice = anonymous.register("alice", PASSWORD).await.unwrap();
    let bob = anonymous.register("bob", PASSWORD).await.unwrap();
    let alice_client = anonymous.signed_in(alice.tokens);
    let dm = alice_client.direct(bob.user.id).await.unwrap().id;
    (alice_client, anonymous.signed_in(bob.tokens), dm)
}

/// Every message of `conversation` as `reader` sees it on the server.
async fn server_messages(reader: &Client, conversation: Uuid) -> Vec<hearth_proto::MessageDto> {
    reader
        .messages_after(conversation, 0, 100)
        .await
        .unwrap()
        .messages
}

fn outbox_empty(store: &Arc<LocalStore>) -> bool {
    store.outbox_len().unwrap() == 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_offline_sends_go_out_once_each_in_order_when_the_server_is_back() {
    let mut server = ServerProcess::start();
    let (alice, bob, dm) = alice_and_bob(&server.base()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path().join("alice.sqlite3")).unwrap());
    let offline = Offline::start_with(alice, store.clone(), FAST);
    offline.synced().await;

    server.kill();
    until(&offline, "the engine sees it is offline", |_| {
        offline.connection() == Connection::Offline
    })
    .await;
    let written: Vec<_> = ["one", "two", "three"]
        .iter()
        .map(|text| offline.send(dm, text, None).unwrap())
        .collect();
    assert!(written.iter().all(|m| m.status == LocalStatus::Pending));

    server.restart();
    until(&offline, "the outbox is empty", outbox_empty).await;

    let local = store.messages(dm, None, 100).unwrap();
    assert_eq!(local.len(), 3);
    let on_server = server_messages(&bob, dm).await;
    assert_eq!(
        on_server.len(),
        3,
        "each send reached the server exactly once"
    );
    for ((mine, theirs), text) in local.iter().zip(&on_server).zip(["one", "two", "three"]) {
        assert_eq!(mine.status, LocalStatus::Sent);
        assert_eq!(mine.content.as_deref(), Some(text));
        assert_eq!(mine.server_id, Some(theirs.id));
        assert_eq!(mine.server_seq, Some(theirs.seq));
        assert_eq!(theirs.client_message_id, mine.client_message_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_server_killed_mid_send_and_an_app_restart_lose_nothing_and_duplicate_nothing() {
    const SENDS: usize = 30;
    let mut server = ServerProcess::start();
    let (alice, bob, dm) = alice_and_bob(&server.base()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.sqlite3");
    let store = Arc::new(LocalStore::open(&path).unwrap());
    let offline = Offline::start_with(alice.clone(), store.clone(), FAST);
    offline.synced().await;
    for n in 0..SENDS {
        offline.send(dm, &format!("message {n}"), None).unwrap();
    }
    until(&offline, "some sends are out", |store| {
        store.outbox_len().unwrap() < SENDS - 3
    })
    .await;

    // The server dies with sends in flight; the app is closed too, and started again.
    server.kill();
    drop(offline);
    let left = store.outbox_len().unwrap();
    assert!(
        left > 0 && left < SENDS,
        "killed mid-send: {left} of {SENDS} still queued"
    );
    drop(store);
    server.restart();
    let store = Arc::new(LocalStore::open(&path).unwrap());
    let offline = Offline::start_with(alice, store.clone(), FAST);
    until(&offline, "the outbox is empty", outbox_empty).await;

    let on_server = server_messages(&bob, dm).await;
    let keys: HashSet<_> = on_server.iter().map(|m| &m.client_message_id).collect();
    assert_eq!(
        on_server.len(),
        SENDS,
        "no loss, no duplicate on the server"
    );
    assert_eq!(keys.len(), SENDS);
    let local = store.messages(dm, None, 100).unwrap();
    assert_eq!(local.len(), SENDS, "no duplicate in the store");
    for (n, (mine, theirs)) in local.iter().zip(&on_server).enumerate() {
        assert_eq!(mine.status, LocalStatus::Sent);
        assert_eq!(
            mine.content,
            Some(format!("message {n}")),
            "in the order written"
        );
        assert_eq!(mine.server_id, Some(theirs.id));
    }
}

#[tokio::test]
async fn test_an_expired_access_token_is_refreshed_once_and_the_engine_syncs_and_sends() {
    let app = TestApp::spawn().await;
    let (_, tokens) = expired_session(&app, "carol").await;
    let (client, refreshes) = counting_client(&app, tokens);
    let other = Client::new(&app.base)
        .unwrap()
        .register("dave", PASSWORD)
        .await
        .unwrap();
    let dm = client.direct(other.user.id).await.unwrap().id;
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);

    let store = Arc::new(LocalStore::open_in_memory().unwrap());
    let offline = Offline::start_with(client, store.clone(), FAST);
    offline.synced().await;
    let pending = offline.send(dm, "made it", None).unwrap();
    until(&offline, "the send is reconciled", |store| {
        store
            .message_by_client_id(&pending.client_message_id)
            .unwrap()
            .is_some_and(|m| m.status == LocalStatus::Sent && m.server_seq.is_some())
    })
    .await;
    assert_eq!(
        refreshes.load(Ordering::SeqCst),
        1,
        "one refresh served REST and the socket"
    );
}

#[tokio::test]
async fn test_a_message_from_another_user_arrives_live_and_counts_as_unread() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = alice_and_bob(&app.base).await;
    let store = Arc::new(LocalStore::open_in_memory().unwrap());
    let offline = Offline::start_with(alice, store.clone(), FAST);
    offline.synced().await;
    until(&offline, "the socket is up", |_| {
        offline.connection() == Connection::Online
    })
    .await;

    bob.send_message(dm, "bob-1", "are you there?")
        .await
        .unwrap();
    until(&offline, "bob's message is in the store", |store| {
        store.search("there", 10).unwrap().len() == 1
    })
    .await;
    let conversation = store
        .conversations()
        .unwrap()
        .into_iter()
        .find(|c| c.id == dm)
        .unwrap();
    assert_eq!(conversation.unread, 1);
}

#[tokio::test]
async fn test_a_message_with_files_is_kept_with_its_files() {
    let app = TestApp::spawn().await;
    let anonymous = Client::new(&app.base).unwrap();
    let alice = anonymous.register("alice", PASSWORD).await.unwrap();
    let alice = anonymous.signed_in(alice.tokens);
    let bob = app.register("bob").await;
    let dm = alice.direct(bob.user_id.parse().unwrap()).await.unwrap().id;
    let file = app
        .upload(&bob.access, "chart.png", crate::media_support::PNG)
        .await
        .expect(201);
    let file = file.data()["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/conversations/{dm}/messages"),
        &bob.access,
        serde_json::json!({ "client_message_id": "b1", "content": "the chart", "attachments": [file] }),
    )
    .await
    .expect(201);

    let store = Arc::new(LocalStore::open_in_memory().unwrap());
    let offline = Offline::start_with(alice, store.clone(), FAST);
    offline.synced().await;
    let kept = store.messages(dm, None, 10).unwrap();
    let message = kept
        .iter()
        .find(|m| m.content.as_deref() == Some("the chart"))
        .unwrap();
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].file_name, "chart.png");
    assert_eq!(message.attachments[0].id.to_string(), file);
    assert_eq!(
        message.attachments[0].size,
        Some(crate::media_support::PNG.len() as u64)
    );
}
