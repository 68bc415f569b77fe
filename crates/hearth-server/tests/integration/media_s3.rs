//! Uploads and downloads with the S3 blob store, against a real s3s-fs on loopback: the
//! presigned PUT goes straight to the bucket, a download is a redirect to a presigned GET.

use hearth_server::config::Config;
use hearth_testkit::s3::{ACCESS_KEY, S3Server, SECRET_KEY};
use reqwest::Method;
use serde_json::json;

use crate::media_support::PNG;
use crate::support::TestApp;

/// A server keeping its files in `server`'s bucket.
pub(crate) async fn on_s3(server: &S3Server) -> TestApp {
    TestApp::spawn_with(on_s3_config(server)).await
}

/// What makes a configuration keep its files in `server`'s bucket.
pub(crate) fn on_s3_config(server: &S3Server) -> impl FnOnce(&mut Config) + use<> {
    let (endpoint, bucket) = (server.endpoint.clone(), server.bucket.clone());
    move |config: &mut Config| {
        config.media.backend = hearth_media::Backend::S3;
        config.media.s3 = Some(hearth_media::S3Config {
            endpoint,
            bucket,
            region: "us-east-1".to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: hearth_media::Secret::new(SECRET_KEY),
            path_style: true,
        });
    }
}

#[tokio::test]
async fn a_presigned_s3_upload_goes_to_the_bucket_and_downloads_redirect() {
    let server = S3Server::start("hearth").await;
    let app = on_s3(&server).await;
    let alice = app.register("alice").await;
    let (id, url) = app.begin_upload(&alice.access, "p.png", PNG.len()).await;
    assert!(
        url.starts_with(&server.endpoint),
        "the bucket's own URL: {url}"
    );
    assert!(url.contains("X-Amz-Signature="), "{url}");

    let tampered = url.replace(&id, &uuid::Uuid::now_v7().to_string());
    let (status, _, _) = app
        .raw(Method::PUT, &tampered, None, &[], PNG.to_vec())
        .await;
    assert!(
        (400..500).contains(&status),
        "a tampered URL is refused: {status}"
    );
    let (status, _, _) = app.raw(Method::PUT, &url, None, &[], PNG.to_vec()).await;
    assert_eq!(status, 200);
    assert_eq!(
        std::fs::read(server.bucket_dir().join("media").join(&id)).unwrap(),
        PNG,
        "the bytes are an object of the bucket"
    );
    let ready = app
        .post(&format!("/v1/media/{id}/confirm"), &alice.access, json!({}))
        .await
        .expect(200);
    assert_eq!(ready.data()["content_type"], "image/png");

    let (status, headers, _) = app.download(&alice.access, &id, &[]).await;
    assert_eq!(status, 302);
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&server.endpoint), "{location}");
    let (status, _, bytes) = app.raw(Method::GET, &location, None, &[], Vec::new()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
}

#[tokio::test]
async fn a_direct_upload_streams_into_the_bucket() {
    let server = S3Server::start("hearth").await;
    let app = on_s3(&server).await;
    let alice = app.register("alice").await;
    let mut big = PNG.to_vec();
    big.resize(7 * 1024 * 1024, 7);
    let media = app.upload(&alice.access, "big.png", &big).await.expect(201);
    let id = media.data()["id"].as_str().unwrap();
    assert_eq!(media.data()["size"], big.len());
    let stored = std::fs::read(server.bucket_dir().join("media").join(id)).unwrap();
    assert!(stored == big, "the object is the file, sent in parts");
}

#[tokio::test]
async fn a_member_downloads_an_attached_file_by_a_presigned_redirect() {
    let server = S3Server::start("hearth").await;
    let app = on_s3(&server).await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let media = app.upload(&alice.access, "p.png", PNG).await.expect(201);
    let id = media.data()["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/conversations/{dm}/messages"),
        &alice.access,
        json!({ "client_message_id": "k1", "content": "", "attachments": [id] }),
    )
    .await
    .expect(201);
    let (status, headers, _) = app.download(&bob.access, &id, &[]).await;
    assert_eq!(status, 302);
    let location = headers["location"].to_str().unwrap().to_owned();
    let (status, _, bytes) = app.raw(Method::GET, &location, None, &[], Vec::new()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
    let stranger = app.register("mallory").await;
    let (status, _, _) = app.download(&stranger.access, &id, &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_download_asking_for_the_bytes_gets_them_from_hearth_not_a_redirect() {
    let server = S3Server::start("hearth").await;
    let app = on_s3(&server).await;
    let alice = app.register("alice").await;
    let media = app.upload(&alice.access, "p.png", PNG).await.expect(201);
    let id = media.data()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/media/{id}/content?redirect=false");
    let (status, headers, bytes) = app
        .raw(Method::GET, &path, Some(&alice.access), &[], Vec::new())
        .await;
    assert_eq!((status, bytes.as_slice()), (200, PNG));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, part) = app
        .raw(
            Method::GET,
            &path,
            Some(&alice.access),
            &[("range", "bytes=1-3")],
            Vec::new(),
        )
        .await;
    assert_eq!((status, part.as_slice()), (206, &PNG[1..4]));
    let (status, _, _) = app
        .raw(
            Method::GET,
            &format!("/v1/media/{id}/content?redirect=perhaps"),
            Some(&alice.access),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 400, "a redirect that is not true or false");
}
