//! Profile pictures through the REST face: made from an upload (turned upright, cropped to a
//! square, metadata dropped), served without a token at the address every `UserDto` carries,
//! replaced and removed with their old address dead, kept in the data directory or a bucket.

use image::GenericImageView;
use reqwest::Method;
use serde_json::{Value, json};

use crate::media_support::{PNG, files_under, photo, transparent_png};
use crate::support::{Session, TestApp};

impl TestApp {
    /// Uploads `bytes` and makes them `who`'s picture; the answer.
    async fn set_avatar_from(&self, who: &Session, bytes: &[u8]) -> crate::support::Response {
        let media = self.upload(&who.access, "me.jpg", bytes).await.expect(201);
        let id = media.data()["id"].as_str().unwrap().to_owned();
        self.set_avatar(who, &id).await
    }

    /// Makes a photo `who`'s picture; its address.
    async fn new_avatar(&self, who: &Session) -> String {
        let set = self
            .set_avatar_from(who, &photo(600, 400))
            .await
            .expect(200);
        avatar_url(set.data())
    }

    async fn set_avatar(&self, who: &Session, media_id: &str) -> crate::support::Response {
        self.request(
            Method::PUT,
            "/v1/users/me/avatar",
            Some(&who.access),
            Some(json!({ "media_id": media_id })),
        )
        .await
    }

    /// `GET` of a picture's address with no token: status, content type, cache policy, bytes.
    async fn fetch_avatar(&self, url: &str) -> (u16, String, String, Vec<u8>) {
        let (status, headers, bytes) = self.raw(Method::GET, url, None, &[], Vec::new()).await;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        (
            status,
            header("content-type"),
            header("cache-control"),
            bytes,
        )
    }
}

fn avatar_url(user: &Value) -> String {
    user["avatar_url"]
        .as_str()
        .expect("the user has an avatar_url")
        .to_owned()
}

#[tokio::test]
async fn a_photo_becomes_an_upright_square_picture_fetched_without_a_token() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let set = app
        .set_avatar_from(&alice, &photo(600, 400))
        .await
        .expect(200);
    let url = avatar_url(set.data());
    assert!(
        url.starts_with(&format!("/v1/users/{}/avatar/", alice.user_id)) && url.ends_with(".jpg"),
        "{url}"
    );

    let (status, content_type, cache, bytes) = app.fetch_avatar(&url).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/jpeg");
    assert!(cache.contains("immutable"), "{cache}");
    let picture = image::load_from_memory(&bytes).unwrap();
    assert_eq!(picture.dimensions(), (256, 256));
    let top = picture.get_pixel(128, 10);
    let bottom = picture.get_pixel(128, 245);
    assert!(top[0] > 200 && top[2] < 60, "upright: red on top, {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "blue below, {bottom:?}");
    assert!(
        !bytes.windows(4).any(|w| w == b"Exif"),
        "the photo's metadata is not in the picture"
    );
    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(avatar_url(me.data()), url);
}

#[tokio::test]
async fn other_people_see_the_picture_in_search_and_conversations() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let url = avatar_url(
        app.set_avatar_from(&alice, &transparent_png())
            .await
            .expect(200)
            .data(),
    );
    assert!(
        url.ends_with(".png"),
        "a transparent picture stays PNG: {url}"
    );

    let found = app
        .get("/v1/users/search?query=ali", &bob.access)
        .await
        .expect(200);
    assert_eq!(avatar_url(&found.data()["users"][0]), url);
    let members = app
        .get(&format!("/v1/conversations/{dm}/members"), &bob.access)
        .await
        .expect(200);
    let listed = members.data().to_string();
    assert!(listed.contains(&url), "the members carry it: {listed}");
}

#[tokio::test]
async fn a_new_picture_replaces_the_old_whose_address_stops_working() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let first = app.new_avatar(&alice).await;
    let second = app.new_avatar(&alice).await;
    assert_ne!(first, second, "a new picture has a new address");
    assert_eq!(app.fetch_avatar(&first).await.0, 404);
    assert_eq!(app.fetch_avatar(&second).await.0, 200);
    let stored = files_under(&app.data_dir().join("media/avatars"));
    assert_eq!(
        stored.len(),
        1,
        "the old picture's file is deleted: {stored:?}"
    );
}

#[tokio::test]
async fn removing_the_picture_clears_the_address_and_the_file() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let url = app.new_avatar(&alice).await;
    let removed = app
        .request(
            Method::DELETE,
            "/v1/users/me/avatar",
            Some(&alice.access),
            None,
        )
        .await
        .expect(200);
    assert!(
        removed.data().get("avatar_url").is_none(),
        "{:?}",
        removed.data()
    );
    assert_eq!(app.fetch_avatar(&url).await.0, 404);
    assert!(files_under(&app.data_dir().join("media/avatars")).is_empty());
    app.request(
        Method::DELETE,
        "/v1/users/me/avatar",
        Some(&alice.access),
        None,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn uploads_that_cannot_become_a_picture_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = app.alice_and_bob().await;
    let text = app
        .upload(&alice.access, "notes.txt", b"just some words")
        .await
        .expect(201);
    let text = text.data()["id"].as_str().unwrap().to_owned();
    app.set_avatar(&alice, &text)
        .await
        .expect_error(422, "validation_failed");

    // A PNG signature followed by junk: sniffed as an image, unreadable as one.
    let mut broken = PNG[..16].to_vec();
    broken.extend_from_slice(&[0x42; 64]);
    app.set_avatar_from(&alice, &broken).await.expect(422);

    let (pending, _) = app
        .begin_upload(&alice.access, "later.png", PNG.len())
        .await;
    app.set_avatar(&alice, &pending).await.expect(422);

    let bobs = app
        .upload(&bob.access, "bob.png", &transparent_png())
        .await
        .expect(201);
    let bobs = bobs.data()["id"].as_str().unwrap().to_owned();
    app.set_avatar(&alice, &bobs).await.expect(404);
    app.set_avatar(&alice, &uuid::Uuid::now_v7().to_string())
        .await
        .expect(404);

    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert!(me.data().get("avatar_url").is_none());
}

#[tokio::test]
async fn only_a_current_pictures_exact_address_is_served() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let url = app.new_avatar(&alice).await;
    let name = url.rsplit('/').next().unwrap();
    let bob = app.register("bob").await;
    for wrong in [
        format!("/v1/users/{}/avatar/{name}", bob.user_id),
        url.replace(".jpg", ".png"),
        url.to_uppercase().replace("/V1/USERS/", "/v1/users/"),
        format!("/v1/users/not-a-user/avatar/{name}"),
        format!("/v1/users/{}/avatar/..%2F..%2Fsecrets", alice.user_id),
    ] {
        assert_eq!(app.fetch_avatar(&wrong).await.0, 404, "{wrong}");
    }
}

#[tokio::test]
async fn deleting_the_account_deletes_its_picture() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let url = app.new_avatar(&alice).await;
    app.delete_my_account(&alice).await.expect(200);
    assert_eq!(app.fetch_avatar(&url).await.0, 404);
    assert!(files_under(&app.data_dir().join("media/avatars")).is_empty());
}

#[tokio::test]
async fn with_s3_the_picture_is_an_object_of_the_bucket_served_by_hearth() {
    let server = hearth_testkit::s3::S3Server::start("hearth").await;
    let app = crate::media_s3::on_s3(&server).await;
    let alice = app.register("alice").await;
    let url = app.new_avatar(&alice).await;
    let name = url.rsplit('/').next().unwrap();
    let object = server
        .bucket_dir()
        .join("avatars")
        .join(&alice.user_id)
        .join(name);
    let stored = std::fs::read(&object).expect("the picture is an object of the bucket");
    let (status, content_type, _, bytes) = app.fetch_avatar(&url).await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    assert_eq!(bytes, stored, "served through Hearth, not a redirect");
}
