//! Thumbnails of image uploads: made by the background worker soon after an upload is ready
//! (upright, within 160 / 480 / 1280 px, no metadata), listed on the file wherever it
//! appears, fetched by whoever may fetch the file, made on demand by GraphQL's
//! `generateMediaThumbnail`, and deleted with the file's owner.

use std::time::{Duration, Instant};

use image::GenericImageView;
use reqwest::Method;
use serde_json::{Value, json};

use crate::media_support::{PNG, files_under, photo};
use crate::support::{Session, TestApp};

impl TestApp {
    /// `who` uploads `bytes` as `name`; the file's id.
    pub(crate) async fn upload_id(&self, who: &Session, name: &str, bytes: &[u8]) -> String {
        let media = self.upload(&who.access, name, bytes).await.expect(201);
        media.data()["id"].as_str().unwrap().to_owned()
    }

    /// The file `id` as `who` reads it, once the worker listed its thumbnails (the worker is
    /// woken by the upload itself; this waits for its answer, for at most 20 s).
    pub(crate) async fn with_thumbnails(&self, who: &Session, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let media = self
                .get(&format!("/v1/media/{id}"), &who.access)
                .await
                .expect(200);
            let media = media.data().clone();
            if media["thumbnails"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
            {
                return media;
            }
            assert!(Instant::now() < deadline, "no thumbnails made: {media}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `GET` of a thumbnail's URL as `who`: status, content type and bytes.
    pub(crate) async fn fetch_thumbnail(&self, who: &Session, url: &str) -> (u16, String, Vec<u8>) {
        let (status, headers, bytes) = self
            .raw(Method::GET, url, Some(&who.access), &[], Vec::new())
            .await;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (status, content_type, bytes)
    }
}

pub(crate) fn url_of<'v>(media: &'v Value, size: &str) -> &'v str {
    media["thumbnails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["size"] == size)
        .and_then(|t| t["url"].as_str())
        .unwrap_or_else(|| panic!("no {size} thumbnail: {media}"))
}

#[tokio::test]
async fn an_uploaded_photo_gets_three_upright_thumbnails_without_its_metadata() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(1600, 1200)).await;
    let media = app.with_thumbnails(&alice, &id).await;
    let sizes: Vec<(&str, u64, u64)> = media["thumbnails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["size"].as_str().unwrap(),
                t["width"].as_u64().unwrap(),
                t["height"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("small", 120, 160),
            ("medium", 360, 480),
            ("large", 960, 1280)
        ],
        "upright (the EXIF turn applied), within each size's square"
    );
    for size in ["small", "medium", "large"] {
        let (status, content_type, bytes) = app.fetch_thumbnail(&alice, url_of(&media, size)).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "image/jpeg"),
            "{size}"
        );
        let picture = image::load_from_memory(&bytes).unwrap();
        let top = picture.get_pixel(picture.width() / 2, 2);
        assert!(top[0] > 200 && top[2] < 60, "{size}: red on top, {top:?}");
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{size} has no EXIF"
        );
    }
    let stored = files_under(&app.data_dir().join("media/thumbnails").join(&id));
    assert_eq!(stored.len(), 3, "{stored:?}");
}

#[tokio::test]
async fn members_fetch_an_attachments_thumbnails_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(800, 600)).await;
    let media = app.with_thumbnails(&alice, &id).await;
    app.post(
        &format!("/v1/conversations/{dm}/messages"),
        &alice.access,
        json!({ "client_message_id": "k1", "content": "", "attachments": [id] }),
    )
    .await
    .expect(201);
    let history = app
        .get(&format!("/v1/conversations/{dm}/messages"), &bob.access)
        .await
        .expect(200);
    let attached = &history.data()["messages"][0]["attachments"][0];
    assert_eq!(
        attached["thumbnails"], media["thumbnails"],
        "listed in history"
    );

    let small = url_of(&media, "small");
    assert_eq!(app.fetch_thumbnail(&bob, small).await.0, 200, "a member");
    assert_eq!(
        app.fetch_thumbnail(&carol, small).await.0,
        404,
        "not a member"
    );
    let (status, _, _) = app.raw(Method::GET, small, None, &[], Vec::new()).await;
    assert_eq!(status, 401, "no token");
    let huge = small.replace("/small", "/huge");
    assert_eq!(
        app.fetch_thumbnail(&alice, &huge).await.0,
        404,
        "no such size"
    );
}

#[tokio::test]
async fn a_document_has_no_thumbnails() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "notes.txt", b"plain words").await;
    let media = app
        .get(&format!("/v1/media/{id}"), &alice.access)
        .await
        .expect(200);
    assert_eq!(media.data()["thumbnails"], json!([]));
    let url = format!("/v1/media/{id}/thumbnails/small");
    assert_eq!(app.fetch_thumbnail(&alice, &url).await.0, 404);
}

const GENERATE: &str = "mutation($id: ID!, $size: ThumbnailSize!) {
    generateMediaThumbnail(mediaId: $id, size: $size) {
        id mediaType storageLocation thumbnail { id size storageLocation }
    }
}";

#[tokio::test]
async fn graphql_generates_a_thumbnail_on_demand() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(640, 480)).await;
    let answer = app
        .gql(&alice, GENERATE, json!({ "id": id, "size": "LARGE" }))
        .await;
    let reference = &answer.data()["generateMediaThumbnail"];
    assert_eq!(reference["mediaType"], "image");
    assert_eq!(reference["thumbnail"]["size"], "LARGE");
    let location = reference["thumbnail"]["storageLocation"].as_str().unwrap();
    assert_eq!(location, format!("/v1/media/{id}/thumbnails/large"));
    let (status, _, bytes) = app.fetch_thumbnail(&alice, location).await;
    assert_eq!(status, 200);
    let picture = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        picture.dimensions(),
        (480, 640),
        "never enlarged, but turned upright"
    );
}

#[tokio::test]
async fn graphql_answers_no_thumbnail_for_an_unreadable_image_and_not_found_for_others() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = app.alice_and_bob().await;
    // A PNG signature followed by junk: an image by its type, unreadable as one.
    let mut broken = PNG[..16].to_vec();
    broken.extend_from_slice(&[0x42; 64]);
    let id = app.upload_id(&alice, "broken.png", &broken).await;
    let answer = app
        .gql(&alice, GENERATE, json!({ "id": id, "size": "SMALL" }))
        .await;
    assert_eq!(
        answer.data()["generateMediaThumbnail"]["thumbnail"],
        Value::Null
    );
    app.gql(&bob, GENERATE, json!({ "id": id, "size": "SMALL" }))
        .await
        .expect_code("not_found");
    app.gql(&alice, GENERATE, json!({ "id": "nope", "size": "SMALL" }))
        .await
        .expect_code("not_found");
}

#[tokio::test]
async fn deleting_the_account_deletes_its_thumbnails() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(400, 300)).await;
    app.with_thumbnails(&alice, &id).await;
    app.delete_my_account(&alice).await.expect(200);
    assert!(files_under(&app.data_dir().join("media/thumbnails")).is_empty());
}

#[tokio::test]
async fn with_s3_thumbnails_are_objects_of_the_bucket() {
    let server = hearth_testkit::s3::S3Server::start("hearth").await;
    let app = crate::media_s3::on_s3(&server).await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(400, 300)).await;
    let media = app.with_thumbnails(&alice, &id).await;
    let stored = files_under(&server.bucket_dir().join("thumbnails").join(&id));
    assert_eq!(stored.len(), 3, "{stored:?}");
    let (status, content_type, _) = app.fetch_thumbnail(&alice, url_of(&media, "medium")).await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
}
