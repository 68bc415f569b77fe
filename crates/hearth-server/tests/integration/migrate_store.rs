//! `hearth migrate-store`: a populated SQLite instance copied into an empty PostgreSQL
//! database, after which the server on PostgreSQL (same data directory) serves the same
//! history, unread counts, sync and sessions — and it refuses a target that holds data.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use hearth_store_postgres::testing::TestDatabase;
use serde_json::{Value, json};

use crate::lifecycle::hearth;
use crate::message_support::{MessageApi, id_of};
use crate::support::{Session, TestApp};

/// Runs `hearth migrate-store --from <from> --to <to>`.
fn migrate_store(from: &Path, to: &str) -> Output {
    hearth()
        .args(["migrate-store", "--from"])
        .arg(from)
        .args(["--to", to])
        .output()
        .expect("hearth migrate-store runs")
}

/// Everything a person sees of the instance through the API, to compare before and after.
async fn view(app: &TestApp, who: &Session) -> Value {
    let list = app.get("/v1/conversations", &who.access).await.expect(200);
    let mut histories = serde_json::Map::new();
    for conversation in list.data()["conversations"].as_array().unwrap() {
        let id = conversation["id"].as_str().unwrap();
        histories.insert(id.to_owned(), json!(app.all_messages(who, id).await));
    }
    let events: Vec<Value> = app
        .all_events(who)
        .await
        .into_iter()
        .map(|(conversation, event)| json!([conversation, event]))
        .collect();
    // Snippets are each engine's own; which messages match is the store's promise.
    let found = app
        .get("/v1/messages/search?q=lantern", &who.access)
        .await
        .expect(200);
    let found: Vec<Value> = found.data()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["message"]["id"].clone())
        .collect();
    let blocks = app
        .get("/v1/users/me/blocks", &who.access)
        .await
        .expect(200);
    json!({
        "me": app.get("/v1/users/me", &who.access).await.expect(200).data().clone(),
        "conversations": list.data().clone(),
        "histories": histories,
        "events": events,
        "found": found,
        "blocks": blocks.data().clone(),
    })
}

/// An instance with a bit of everything: a direct conversation with replies, an edit, a
/// deletion, reactions and read markers; a group with a member who left; a block.
async fn populate(app: &TestApp) -> (Session, Session, Session, String) {
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let root = id_of(
        &app.send(&alice, &dm, "k1", "the lantern is lit")
            .await
            .expect(201),
    );
    app.reply(&bob, &dm, "k2", "which lantern?", &root)
        .await
        .expect(201);
    let edited = id_of(&app.send(&alice, &dm, "k3", "tpyo").await.expect(201));
    app.edit(&alice, &dm, &edited, "typo").await.expect(200);
    let gone = id_of(
        &app.send(&bob, &dm, "k4", "oops, a lantern")
            .await
            .expect(201),
    );
    app.delete_message(&bob, &dm, &gone).await.expect(200);
    app.react(&bob, &dm, &root, "🔥").await.expect(201);
    app.react(&alice, &dm, &root, "🔥").await.expect(201);
    app.post(
        &format!("/v1/conversations/{dm}/read"),
        &bob.access,
        json!({ "seq": 2 }),
    )
    .await
    .expect(200);
    let group = app.group(&alice, &[&bob, &carol]).await;
    for i in 0..5 {
        app.send(&carol, &group, &format!("g{i}"), &format!("group note {i}"))
            .await
            .expect(201);
    }
    app.leave(&carol, &group).await.expect(200);
    app.post(
        "/v1/users/me/blocks",
        &alice.access,
        json!({ "user_id": carol.user_id }),
    )
    .await
    .expect(201);
    (alice, bob, carol, dm)
}

#[tokio::test]
async fn test_a_migrated_instance_serves_the_same_history_unread_counts_and_sync() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let (alice, bob, carol, dm) = populate(&app).await;
    let before = [
        view(&app, &alice).await,
        view(&app, &bob).await,
        view(&app, &carol).await,
    ];
    assert_eq!(before[0]["histories"][&dm].as_array().unwrap().len(), 4);
    assert_eq!(
        before[1]["conversations"]["conversations"][1]["unread_count"],
        1
    );
    let data = app.stop_keeping_data().await;

    let database = Arc::new(TestDatabase::create().await.expect("test database"));
    let output = migrate_store(data.path(), database.url());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("verified"), "{stdout}");

    let app = TestApp::spawn_in_on_postgres(data, database).await;
    let after = [
        view(&app, &alice).await,
        view(&app, &bob).await,
        view(&app, &carol).await,
    ];
    for (before, after) in before.iter().zip(&after) {
        assert_eq!(before, after);
    }
    // The log goes on where it stopped, and new messages are found beside the old ones.
    let last = before[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry[0] == dm.as_str())
        .filter_map(|entry| entry[1]["seq"].as_i64())
        .max()
        .unwrap();
    let sent = app
        .send(&bob, &dm, "k5", "another lantern")
        .await
        .expect(201);
    assert_eq!(sent.data()["seq"].as_i64(), Some(last + 1));
    let found = app
        .get("/v1/messages/search?q=lantern", &alice.access)
        .await
        .expect(200);
    let hits = found.data()["results"].as_array().unwrap();
    assert_eq!(hits.len(), 3, "{}", found.body);
    assert_eq!(hits[0]["message"]["id"], sent.data()["id"], "newest first");
}

#[tokio::test]
async fn test_sessions_survive_the_migration() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let alice = app.register("alice").await;
    let data = app.stop_keeping_data().await;
    let database = Arc::new(TestDatabase::create().await.expect("test database"));
    assert!(migrate_store(data.path(), database.url()).status.success());

    let app = TestApp::spawn_in_on_postgres(data, database).await;
    app.get("/v1/users/me", &alice.access).await.expect(200);
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn test_a_target_that_holds_data_is_refused_and_left_as_it_was() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    app.register("alice").await;
    let data = app.stop_keeping_data().await;
    let database = TestDatabase::create().await.expect("test database");
    assert!(migrate_store(data.path(), database.url()).status.success());

    let again = migrate_store(data.path(), database.url());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success());
    assert!(stderr.contains("not empty"), "{stderr}");
    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let users: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(users, 1);
}

#[tokio::test]
async fn test_a_source_without_a_database_is_named_and_nothing_is_created() {
    let empty = tempfile::tempdir().unwrap();
    let database = TestDatabase::create().await.expect("test database");
    let output = migrate_store(empty.path(), database.url());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("no Hearth database"), "{stderr}");
    assert!(!empty.path().join("hearth.db").exists());
}

#[tokio::test]
async fn test_a_target_that_is_not_a_postgres_url_is_refused() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let data = app.stop_keeping_data().await;
    let output = migrate_store(data.path(), "mysql://nowhere");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("not a valid PostgreSQL URL"), "{stderr}");
}

#[tokio::test]
async fn test_attachments_are_copied_and_still_download_for_members() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let media = app
        .upload(&alice.access, "pixel.png", crate::media_support::PNG)
        .await
        .expect(201);
    let file = media.data()["id"].as_str().unwrap().to_owned();
    let sent = app
        .post(
            &format!("/v1/conversations/{dm}/messages"),
            &alice.access,
            json!({ "client_message_id": "k1", "content": "look", "attachments": [file] }),
        )
        .await
        .expect(201);
    let data = app.stop_keeping_data().await;

    let database = Arc::new(TestDatabase::create().await.expect("test database"));
    let output = migrate_store(data.path(), database.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let app = TestApp::spawn_in_on_postgres(data, database).await;
    let history = app.all_messages(&bob, &dm).await;
    assert_eq!(history[0]["attachments"], sent.data()["attachments"]);
    let (status, _, bytes) = app.download(&bob.access, &file, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, crate::media_support::PNG);
}
