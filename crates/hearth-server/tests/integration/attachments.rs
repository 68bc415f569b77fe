//! Files on messages: sent with a message (REST, atomically), carried on every read path and
//! the live events, kept by edits and dropped by deletion; downloaded by members under
//! history visibility, refused (404) to everyone else.

use serde_json::{Value, json};

use crate::media_support::PNG;
use crate::message_support::MessageApi;
use crate::support::{Session, TestApp};

/// `who` uploads a PNG named `name`; its id.
async fn uploaded(app: &TestApp, who: &Session, name: &str) -> String {
    let media = app.upload(&who.access, name, PNG).await.expect(201);
    media.data()["id"].as_str().unwrap().to_owned()
}

/// `POST …/messages` with `content` and `attachments`.
async fn send_files(
    app: &TestApp,
    who: &Session,
    conversation: &str,
    key: &str,
    content: &str,
    files: &[&str],
) -> crate::support::Response {
    app.post(
        &format!("/v1/conversations/{conversation}/messages"),
        &who.access,
        json!({ "client_message_id": key, "content": content, "attachments": files }),
    )
    .await
}

fn attachment_ids(message: &Value) -> Vec<&str> {
    message["attachments"]
        .as_array()
        .unwrap_or_else(|| panic!("attachments always present: {message}"))
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn test_files_sent_with_a_message_show_in_history_sync_search_and_the_live_event() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut live = app.ws(&bob).await;
    let (first, second) = (
        uploaded(&app, &alice, "first.png").await,
        uploaded(&app, &alice, "second.png").await,
    );
    let sent = send_files(
        &app,
        &alice,
        &dm,
        "k1",
        "holiday pictures",
        &[&second, &first],
    )
    .await
    .expect(201);
    let expected = vec![second.as_str(), first.as_str()];
    assert_eq!(attachment_ids(sent.data()), expected);
    let file = &sent.data()["attachments"][0];
    assert_eq!(file["file_name"], "second.png");
    assert_eq!(file["kind"], "image");
    assert_eq!(file["content_type"], "image/png");
    assert_eq!(file["size"], PNG.len());
    assert_eq!(file["status"], "ready");

    let event = live.next_of("new_message").await;
    assert_eq!(attachment_ids(&event["message"]), expected, "{event}");

    let history = app.all_messages(&bob, &dm).await;
    assert_eq!(attachment_ids(&history[0]), expected);
    let boot = app.get("/v1/sync/bootstrap", &bob.access).await.expect(200);
    let recent = &boot.data()["recent_messages"][&dm][0];
    assert_eq!(attachment_ids(recent), expected);
    let changes = app.get("/v1/sync/changes", &bob.access).await.expect(200);
    let logged = changes.data()["changes"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "new_message")
        .cloned()
        .unwrap();
    assert_eq!(attachment_ids(&logged["message"]), expected);
    let found = app
        .get(
            &format!("/v1/conversations/{dm}/messages/search?q=holiday"),
            &bob.access,
        )
        .await
        .expect(200);
    assert_eq!(
        attachment_ids(&found.data()["results"][0]["message"]),
        expected
    );

    let plain = app.send(&alice, &dm, "k2", "no files").await.expect(201);
    assert_eq!(plain.data()["attachments"], json!([]));
}

#[tokio::test]
async fn test_a_caption_may_be_empty_only_with_files() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let file = uploaded(&app, &alice, "scan.png").await;
    let sent = send_files(&app, &alice, &dm, "k1", "", &[&file])
        .await
        .expect(201);
    assert_eq!(sent.data()["content"], "");
    app.send(&alice, &dm, "k2", "")
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_a_caption_may_be_edited_away_only_with_files() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let file = uploaded(&app, &alice, "scan.png").await;
    let sent = send_files(&app, &alice, &dm, "k1", "the scan", &[&file])
        .await
        .expect(201);
    let id = sent.data()["id"].as_str().unwrap().to_owned();
    let edited = app.edit(&alice, &dm, &id, "").await.expect(200);
    assert_eq!(edited.data()["content"], "");
    assert_eq!(attachment_ids(edited.data()), vec![file.as_str()]);
    let summary = app
        .get(&format!("/v1/conversations/{dm}"), &bob.access)
        .await
        .expect(200);
    assert_eq!(
        summary.data()["last_message_preview"],
        "scan.png",
        "previewed by its file's name"
    );

    let text = app.send(&alice, &dm, "k2", "just words").await.expect(201);
    let text = text.data()["id"].as_str().unwrap().to_owned();
    app.edit(&alice, &dm, &text, " ")
        .await
        .expect_error(422, "validation_failed");
    app.edit(&alice, &dm, &id, &"x".repeat(4_001))
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn test_a_member_downloads_an_attached_file_and_a_stranger_gets_404() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let stranger = app.register("mallory").await;
    let file = uploaded(&app, &alice, "pixel.png").await;
    let (status, _, _) = app.download(&bob.access, &file, &[]).await;
    assert_eq!(status, 404, "not attached yet");
    send_files(&app, &alice, &dm, "k1", "look", &[&file])
        .await
        .expect(201);

    let (status, headers, bytes) = app.download(&bob.access, &file, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["content-type"], "image/png");
    let record = app
        .get(&format!("/v1/media/{file}"), &bob.access)
        .await
        .expect(200);
    assert_eq!(record.data()["file_name"], "pixel.png");

    let (status, _, _) = app.download(&stranger.access, &file, &[]).await;
    assert_eq!(status, 404);
    app.get(&format!("/v1/media/{file}"), &stranger.access)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_a_member_whose_history_visibility_hides_the_message_gets_404() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let group = app.group_with_history(&owner, "member_join_date").await;
    let file = uploaded(&app, &owner, "early.png").await;
    send_files(&app, &owner, &group, "k1", "before carol", &[&file])
        .await
        .expect(201);
    app.add_member(&owner, &group, &carol).await.expect(201);

    let (status, _, _) = app.download(&carol.access, &file, &[]).await;
    assert_eq!(status, 404, "the message is before carol's history");
    // Sent again after she joined, the same file is hers to see.
    send_files(&app, &owner, &group, "k2", "again", &[&file])
        .await
        .expect(201);
    let (status, _, bytes) = app.download(&carol.access, &file, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
}

#[tokio::test]
async fn test_someone_elses_pending_unknown_or_too_many_files_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let bobs = uploaded(&app, &bob, "bobs.png").await;
    let mine = uploaded(&app, &alice, "mine.png").await;
    let (pending, _) = app
        .begin_upload(&alice.access, "later.png", PNG.len())
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for (key, files, status, code) in [
        ("a", vec![mine.as_str(), bobs.as_str()], 404, "not_found"),
        ("b", vec![unknown.as_str()], 404, "not_found"),
        ("c", vec!["not-an-id"], 422, "validation_failed"),
        ("d", vec![pending.as_str()], 422, "validation_failed"),
        (
            "e",
            vec![mine.as_str(), mine.as_str()],
            422,
            "validation_failed",
        ),
    ] {
        send_files(&app, &alice, &dm, key, "files", &files)
            .await
            .expect_error(status, code);
    }
    let eleven: Vec<String> = (0..11).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    send_files(&app, &alice, &dm, "f", "files", &eleven)
        .await
        .expect_error(422, "validation_failed");
    assert!(app.all_messages(&alice, &dm).await.is_empty());
    let (status, _, _) = app.download(&alice.access, &bobs, &[]).await;
    assert_eq!(status, 404, "naming it gave nothing away");
}

#[tokio::test]
async fn test_a_retry_with_other_files_conflicts_and_the_same_files_replay() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let (a, b) = (
        uploaded(&app, &alice, "a.png").await,
        uploaded(&app, &alice, "b.png").await,
    );
    let sent = send_files(&app, &alice, &dm, "k1", "hi", &[&a, &b])
        .await
        .expect(201);
    let again = send_files(&app, &alice, &dm, "k1", "hi", &[&a, &b])
        .await
        .expect(200);
    assert_eq!(again.data()["id"], sent.data()["id"]);
    send_files(&app, &alice, &dm, "k1", "hi", &[&b, &a])
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn test_an_edit_keeps_the_files_and_a_deletion_drops_them_and_their_download() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let file = uploaded(&app, &alice, "a.png").await;
    let sent = send_files(&app, &alice, &dm, "k1", "hi", &[&file])
        .await
        .expect(201);
    let id = sent.data()["id"].as_str().unwrap().to_owned();
    let edited = app.edit(&alice, &dm, &id, "hello").await.expect(200);
    assert_eq!(attachment_ids(edited.data()), vec![file.as_str()]);

    let deleted = app.delete_message(&alice, &dm, &id).await.expect(200);
    assert_eq!(deleted.data()["attachments"], json!([]), "{}", deleted.body);
    let history = app.all_messages(&bob, &dm).await;
    assert_eq!(history[0]["attachments"], json!([]));
    let (status, _, _) = app.download(&bob.access, &file, &[]).await;
    assert_eq!(
        status, 404,
        "only a message bob can read shows him the file"
    );
    let (status, _, _) = app.download(&alice.access, &file, &[]).await;
    assert_eq!(status, 200, "the uploader keeps her file");
}
