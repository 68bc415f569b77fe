//! Uploads and downloads through the REST face, on the local blob store (the default) and
//! on a real S3-compatible server (s3s-fs on loopback).

use reqwest::Method;
use serde_json::json;

use crate::media_support::{PNG, files_under, signed_upload_path};
use crate::support::{TestApp, unix_now};

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn a_direct_upload_is_sniffed_stored_and_served_inline_with_ranges() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let media = app
        .upload(&alice.access, "pixel.bin", PNG)
        .await
        .expect(201);
    let media = media.data();
    assert_eq!(media["status"], "ready");
    assert_eq!(media["kind"], "image");
    assert_eq!(
        media["content_type"], "image/png",
        "sniffed, not the name's .bin"
    );
    assert_eq!(media["size"], PNG.len());
    assert_eq!(media["file_name"], "pixel.bin");
    let id = media["id"].as_str().unwrap();

    let (status, headers, bytes) = app.download(&alice.access, id, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert!(header(&headers, "content-disposition").starts_with("inline;"));
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert!(header(&headers, "content-security-policy").contains("sandbox"));
    assert_eq!(header(&headers, "accept-ranges"), "bytes");

    let (status, headers, bytes) = app
        .download(&alice.access, id, &[("range", "bytes=1-3")])
        .await;
    assert_eq!(status, 206);
    assert_eq!(bytes, &PNG[1..4]);
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes 1-3/{}", PNG.len())
    );
    let (status, _, bytes) = app
        .download(&alice.access, id, &[("range", "bytes=-4")])
        .await;
    assert_eq!(status, 206);
    assert_eq!(bytes, &PNG[PNG.len() - 4..]);
    let (status, headers, bytes) = app
        .download(
            &alice.access,
            id,
            &[("range", &format!("bytes={}-", PNG.len()))],
        )
        .await;
    assert_eq!(status, 416, "a range past the end is unsatisfiable");
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes */{}", PNG.len())
    );
    assert!(bytes.is_empty());
    let (status, _, bytes) = app
        .download(&alice.access, id, &[("range", "bytes=5-2")])
        .await;
    assert_eq!(
        (status, bytes.as_slice()),
        (200, PNG),
        "a malformed range is ignored"
    );

    let stored = app.data_dir().join("media/media").join(id);
    assert_eq!(
        std::fs::read(stored).unwrap(),
        PNG,
        "the bytes are a file of <data>/media"
    );
}

#[tokio::test]
async fn html_and_polyglot_uploads_are_never_served_as_html() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let html = app
        .upload(&alice.access, "innocent.png", page)
        .await
        .expect(201);
    assert_eq!(html.data()["content_type"], "text/html");
    assert_eq!(html.data()["kind"], "document");
    let id = html.data()["id"].as_str().unwrap();
    let (status, headers, bytes) = app.download(&alice.access, id, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, page);
    assert_eq!(header(&headers, "content-type"), "application/octet-stream");
    assert!(
        header(&headers, "content-disposition")
            .starts_with("attachment; filename=\"innocent.png\""),
        "{headers:?}"
    );
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert!(header(&headers, "content-security-policy").starts_with("default-src 'none'; sandbox"));

    // A GIF header followed by a script: a GIF to the sniffer, so it is served as a GIF
    // (never as HTML) and nosniff forbids the browser to think otherwise.
    let polyglot = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;<script>alert(1)</script>";
    let gif = app
        .upload(&alice.access, "x.html", polyglot)
        .await
        .expect(201);
    assert_eq!(gif.data()["content_type"], "image/gif");
    let id = gif.data()["id"].as_str().unwrap();
    let (_, headers, _) = app.download(&alice.access, id, &[]).await;
    assert_eq!(header(&headers, "content-type"), "image/gif");
    assert!(header(&headers, "content-security-policy").contains("sandbox"));
}

#[tokio::test]
async fn uploads_past_the_limit_or_of_refused_types_leave_nothing() {
    let app = TestApp::spawn_with(|config| {
        config.media.max_upload_bytes = 1_000;
        config.media.allowed_types = vec!["image/*".to_owned()];
    })
    .await;
    let alice = app.register("alice").await;
    let mut big = PNG.to_vec();
    big.resize(5_000, 0);
    app.upload(&alice.access, "big.png", &big)
        .await
        .expect_error(413, "payload_too_large");
    app.upload(&alice.access, "notes.png", b"just some text")
        .await
        .expect_error(415, "unsupported_media_type");
    app.upload(&alice.access, "../escape.png", PNG)
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(
        files_under(&app.data_dir().join("media")),
        Vec::<std::path::PathBuf>::new()
    );
    app.post(
        "/v1/media/uploads",
        &alice.access,
        json!({"file_name": "big.png", "size": 1_001}),
    )
    .await
    .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn a_presigned_local_upload_works_once_and_tampered_or_expired_links_are_refused() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let begun = app
        .post(
            "/v1/media/uploads",
            &alice.access,
            json!({"file_name": "pixel.png", "size": PNG.len()}),
        )
        .await
        .expect(201);
    let begun = begun.data();
    assert_eq!(begun["method"], "PUT");
    assert_eq!(begun["media"]["status"], "pending");
    let id = begun["media"]["id"].as_str().unwrap();
    let url = begun["upload_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("/v1/media/{id}/upload?expires=")),
        "{url}"
    );

    let tampered = format!("{}0", &url[..url.len() - 1]);
    let tampered = if tampered == url {
        format!("{}1", &url[..url.len() - 1])
    } else {
        tampered
    };
    let (status, _, _) = app
        .raw(Method::PUT, &tampered, None, &[], PNG.to_vec())
        .await;
    assert_eq!(status, 403, "a tampered signature");
    let later = url.replace("expires=", "expires=9");
    let (status, _, _) = app.raw(Method::PUT, &later, None, &[], PNG.to_vec()).await;
    assert_eq!(status, 403, "a tampered expiry");
    let secret = app.signing_secret().await;
    let expired = signed_upload_path(&secret, id, unix_now() - 1);
    let (status, _, _) = app
        .raw(Method::PUT, &expired, None, &[], PNG.to_vec())
        .await;
    assert_eq!(status, 403, "a genuine but expired link");

    app.post(&format!("/v1/media/{id}/confirm"), &alice.access, json!({}))
        .await
        .expect_error(409, "conflict");
    let (status, _, _) = app.raw(Method::PUT, url, None, &[], PNG.to_vec()).await;
    assert_eq!(status, 204);
    app.post(&format!("/v1/media/{id}/confirm"), &bob.access, json!({}))
        .await
        .expect_error(404, "not_found");
    let ready = app
        .post(&format!("/v1/media/{id}/confirm"), &alice.access, json!({}))
        .await
        .expect(200);
    assert_eq!(ready.data()["status"], "ready");
    assert_eq!(ready.data()["content_type"], "image/png");
    let (status, _, _) = app
        .raw(Method::PUT, url, None, &[], b"replaced".to_vec())
        .await;
    assert_eq!(status, 409, "a confirmed upload's link is spent");
    let (_, _, bytes) = app.download(&alice.access, id, &[]).await;
    assert_eq!(bytes, PNG);
}

#[tokio::test]
async fn confirming_bytes_of_another_size_than_announced_deletes_them() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let begun = app
        .post(
            "/v1/media/uploads",
            &alice.access,
            json!({"file_name": "a.txt", "size": 10}),
        )
        .await
        .expect(201);
    let id = begun.data()["media"]["id"].as_str().unwrap().to_owned();
    let url = begun.data()["upload_url"].as_str().unwrap().to_owned();
    let (status, _, _) = app
        .raw(Method::PUT, &url, None, &[], b"0123456789AB".to_vec())
        .await;
    assert_eq!(status, 413, "more than announced is cut off");
    let (status, _, _) = app
        .raw(Method::PUT, &url, None, &[], b"short".to_vec())
        .await;
    assert_eq!(status, 204);
    app.post(&format!("/v1/media/{id}/confirm"), &alice.access, json!({}))
        .await
        .expect_error(422, "validation_failed");
    app.get(&format!("/v1/media/{id}"), &alice.access)
        .await
        .expect_error(404, "not_found");
    assert!(files_under(&app.data_dir().join("media")).is_empty());
}

#[tokio::test]
async fn an_upload_never_confirmed_is_swept_with_its_blob() {
    let app = TestApp::spawn_with(|config| {
        config.media.upload_url_ttl_secs = 1;
        config.media.pending_ttl_secs = 1;
        config.media.sweep_interval_secs = 1;
    })
    .await;
    let alice = app.register("alice").await;
    let (id, url) = app.begin_upload(&alice.access, "p.png", PNG.len()).await;
    let (status, _, _) = app.raw(Method::PUT, &url, None, &[], PNG.to_vec()).await;
    assert_eq!(status, 204);
    let blob = app.data_dir().join("media/media").join(&id);
    assert!(blob.is_file());
    // The sweeper runs every second; wait (bounded) for it to have taken the upload.
    let swept = async {
        loop {
            let status = app
                .get(&format!("/v1/media/{id}"), &alice.access)
                .await
                .status;
            if status == 404 && !blob.exists() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), swept)
        .await
        .expect("the upload is swept within 10 s");
}

#[tokio::test]
async fn nobody_but_the_uploader_sees_an_unattached_file() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let media = app
        .upload(&alice.access, "pixel.png", PNG)
        .await
        .expect(201);
    let id = media.data()["id"].as_str().unwrap();
    app.get(&format!("/v1/media/{id}"), &bob.access)
        .await
        .expect_error(404, "not_found");
    let (status, _, _) = app.download(&bob.access, id, &[]).await;
    assert_eq!(status, 404);
    let (status, _, _) = app.download(&bob.access, "not-an-id", &[]).await;
    assert_eq!(status, 404);
}
