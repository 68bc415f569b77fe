//! Encryption at rest through the real server: with `encryption.enabled`, the data directory's
//! media folder and the S3 bucket hold only ciphertext — files, their ranges and their
//! thumbnails still come back exactly — and the master key is guarded at start (a file others
//! may read, a wrong key, a sealed database without its key: the start stops and says why).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hearth_server::config::Config;
use hearth_testkit::s3::S3Server;
use reqwest::Method;
use serde_json::json;

use crate::lifecycle::hearth;
use crate::media_support::{files_under, photo};
use crate::support::TestApp;
use crate::thumbnails::url_of;

/// The words every test file holds, to look for in what is stored.
const SECRET_WORDS: &[u8] = b"the launch code is 0000, tell no one";

/// A text file of several 64 KiB chunks with [`SECRET_WORDS`] at its start and its end.
fn secret_file() -> Vec<u8> {
    let mut file = SECRET_WORDS.to_vec();
    file.extend((0..200_000).map(|i| b'a' + (i % 26) as u8));
    file.extend_from_slice(SECRET_WORDS);
    file
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Encryption on, with a master key given in the configuration.
fn encrypted(config: &mut Config) {
    config.encryption.enabled = true;
    config.encryption.master_key = Some(STANDARD.encode([7u8; 32]));
}

/// Every stored file under `dir` holds no plaintext of the test file.
fn assert_all_sealed(dir: &Path) {
    let files = files_under(dir);
    assert!(
        !files.is_empty(),
        "something was stored under {}",
        dir.display()
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !contains(&bytes, SECRET_WORDS),
            "{} holds plaintext",
            file.display()
        );
        assert!(
            !contains(&bytes, b"abcdefghijklmnop"),
            "{} holds plaintext",
            file.display()
        );
    }
}

#[tokio::test]
async fn an_encrypted_upload_is_ciphertext_on_disk_and_downloads_whole_and_in_ranges() {
    let app = TestApp::spawn_with(encrypted).await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let media = app
        .upload(&alice.access, "plans.txt", &file)
        .await
        .expect(201);
    let id = media.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(media.data()["size"], file.len(), "the plaintext's size");

    let stored = app.data_dir().join("media");
    assert_all_sealed(&stored);
    let blob = files_under(&stored).into_iter().next().unwrap();
    assert!(std::fs::read(blob).unwrap().starts_with(b"HSB\x01"));

    let (status, _, whole) = app.download(&alice.access, &id, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(whole, file, "the whole file, opened");
    for (range, expected) in [
        ("bytes=0-9", &file[..10]),
        ("bytes=65530-65545", &file[65530..65546]),
        ("bytes=-36", &file[file.len() - 36..]),
        ("bytes=131072-131072", &file[131072..131073]),
    ] {
        let (status, headers, part) = app.download(&alice.access, &id, &[("range", range)]).await;
        assert_eq!(status, 206, "{range}");
        assert_eq!(part, expected, "{range}");
        assert!(
            headers["content-range"]
                .to_str()
                .unwrap()
                .ends_with(&format!("/{}", file.len()))
        );
    }
}

#[tokio::test]
async fn thumbnails_of_an_encrypted_picture_are_sealed_too() {
    let app = TestApp::spawn_with(encrypted).await;
    let alice = app.register("alice").await;
    let id = app.upload_id(&alice, "photo.jpg", &photo(900, 600)).await;
    let media = app.with_thumbnails(&alice, &id).await;
    let (status, content_type, small) = app.fetch_thumbnail(&alice, url_of(&media, "small")).await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    assert!(image::load_from_memory(&small).is_ok(), "a real picture");
    for stored in files_under(&app.data_dir().join("media")) {
        let bytes = std::fs::read(&stored).unwrap();
        assert!(
            bytes.starts_with(b"HSB\x01"),
            "{} is sealed",
            stored.display()
        );
        assert!(
            !contains(&bytes, b"JFIF") && !contains(&bytes, b"Exif"),
            "{}",
            stored.display()
        );
    }
}

#[tokio::test]
async fn with_s3_the_bucket_holds_only_ciphertext_and_uploads_go_through_hearth() {
    let server = S3Server::start("hearth").await;
    let s3 = crate::media_s3::on_s3_config(&server);
    let app = TestApp::spawn_with(move |config| {
        s3(config);
        encrypted(config);
    })
    .await;
    let alice = app.register("alice").await;
    let file = secret_file();

    // A presigned upload is Hearth's own signed URL: the bucket's would take plaintext.
    let (id, url) = app
        .begin_upload(&alice.access, "plans.txt", file.len())
        .await;
    assert!(
        !url.starts_with(&server.endpoint),
        "not the bucket's URL: {url}"
    );
    let (status, _, _) = app.raw(Method::PUT, &url, None, &[], file.clone()).await;
    assert_eq!(status, 204, "stored through Hearth");
    app.post(&format!("/v1/media/{id}/confirm"), &alice.access, json!({}))
        .await
        .expect(200);
    let direct = app.upload_id(&alice, "again.txt", &file).await;

    assert_all_sealed(&server.bucket_dir());
    for id in [id, direct] {
        // No redirect to a presigned GET (it would hand out ciphertext): Hearth answers.
        let (status, _, bytes) = app.download(&alice.access, &id, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, file);
    }
}

#[tokio::test]
async fn files_stored_before_encryption_was_turned_on_stay_readable() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let before = app.upload_id(&alice, "old.txt", &file).await;

    let app = app.restart_with(encrypted).await;
    let (status, _, bytes) = app.download(&alice.access, &before, &[]).await;
    assert_eq!((status, bytes == file), (200, true));
    let (status, _, part) = app
        .download(&alice.access, &before, &[("range", "bytes=4-9")])
        .await;
    assert_eq!((status, part.as_slice()), (206, &file[4..10]));
    let after = app.upload_id(&alice, "new.txt", &file).await;
    let (_, _, bytes) = app.download(&alice.access, &after, &[]).await;
    assert_eq!(bytes, file);
}

#[tokio::test]
async fn once_unsealed_files_are_refused_a_plain_file_slipped_in_is_never_served() {
    let app = TestApp::spawn_with(|c| {
        encrypted(c);
        c.encryption.refuse_unsealed_files = true;
    })
    .await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let id = app.upload_id(&alice, "a.txt", &file).await;
    let (status, _, _) = app.download(&alice.access, &id, &[]).await;
    assert_eq!(status, 200, "a sealed file is served");

    // Someone with access to the disk replaces it with plain bytes of their own.
    let stored = files_under(&app.data_dir().join("media")).pop().unwrap();
    std::fs::write(&stored, b"click http://evil.example").unwrap();
    let (status, _, bytes) = app.download(&alice.access, &id, &[]).await;
    assert!(status >= 500 || bytes.is_empty(), "refused: {status}");
    assert!(
        !contains(&bytes, b"evil"),
        "the plain bytes are never served"
    );
    let (status, _, bytes) = app
        .download(&alice.access, &id, &[("range", "bytes=0-4")])
        .await;
    assert!(!contains(&bytes, b"click"), "nor a range of them: {status}");
}

#[tokio::test]
async fn turned_off_with_its_key_sealed_files_open_and_new_ones_are_stored_plain() {
    let app = TestApp::spawn_with(encrypted).await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let sealed = app.upload_id(&alice, "a.txt", &file).await;

    let app = app.restart_with(|c| c.encryption.enabled = false).await;
    let (_, _, bytes) = app.download(&alice.access, &sealed, &[]).await;
    assert_eq!(bytes, file);
    app.upload(&alice.access, "b.txt", &file).await.expect(201);
    let plain = files_under(&app.data_dir().join("media"))
        .into_iter()
        .filter(|f| contains(&std::fs::read(f).unwrap(), SECRET_WORDS))
        .count();
    assert_eq!(
        plain, 1,
        "only the file stored with encryption off is plain"
    );
}

/// `hearth serve` on `data` with `env`; it must fail: what it wrote to stderr.
fn serve_failing_in(data: &Path, env: &[(&str, &str)]) -> String {
    let output = hearth()
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(!output.status.success(), "the start must stop");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_master_key_file_others_may_read_stops_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().unwrap();
    let key_file = data.path().join("key");
    std::fs::write(&key_file, STANDARD.encode([1u8; 32])).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = serve_failing_in(
        data.path(),
        &[
            ("HEARTH_ENCRYPTION__ENABLED", "true"),
            (
                "HEARTH_ENCRYPTION__MASTER_KEY_FILE",
                key_file.to_str().unwrap(),
            ),
        ],
    );
    assert!(stderr.contains("chmod 600"), "{stderr}");
    assert!(
        !stderr.contains(&STANDARD.encode([1u8; 32])),
        "no key in errors"
    );
}

#[tokio::test]
async fn encryption_on_without_a_key_makes_one_in_the_data_directory_for_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn_with(|c| c.encryption.enabled = true).await;
    let alice = app.register("alice").await;
    let key_file = app.data_dir().join("master.key");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let id = app.upload_id(&alice, "a.txt", &secret_file()).await;
    // The next start reads the same key, and what it sealed opens.
    let app = app.restart().await;
    let (status, _, bytes) = app.download(&alice.access, &id, &[]).await;
    assert_eq!((status, bytes), (200, secret_file()));
}

#[tokio::test]
async fn a_wrong_master_key_or_none_stops_the_start_of_a_sealed_database() {
    let app = TestApp::spawn_on_sqlite_with(encrypted).await;
    let data = app.stop_keeping_data().await;
    let wrong = STANDARD.encode([8u8; 32]);
    let stderr = serve_failing_in(
        data.path(),
        &[
            ("HEARTH_ENCRYPTION__ENABLED", "true"),
            ("HEARTH_ENCRYPTION__MASTER_KEY", &wrong),
        ],
    );
    assert!(
        stderr.contains("does not open the database's data keys"),
        "{stderr}"
    );
    assert!(!stderr.contains(&wrong) && !stderr.contains(&STANDARD.encode([7u8; 32])));

    let stderr = serve_failing_in(data.path(), &[]);
    assert!(stderr.contains("give its master key"), "{stderr}");
}

/// The data key id in a sealed blob's header.
fn sealing_key(file: &Path) -> u32 {
    let bytes = std::fs::read(file).unwrap();
    assert!(
        bytes.starts_with(b"HSB\x01"),
        "{} is sealed",
        file.display()
    );
    u32::from_be_bytes(bytes[4..8].try_into().unwrap())
}

#[tokio::test]
async fn rotating_the_key_reseals_every_file_while_the_server_serves() {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let plain = app.upload_id(&alice, "old.txt", &file).await;
    let app = app.restart_with(encrypted).await;
    let picture = app.upload_id(&alice, "photo.jpg", &photo(900, 600)).await;
    let with_thumbnails = app.with_thumbnails(&alice, &picture).await;
    let sealed = app.upload_id(&alice, "new.txt", &file).await;
    let media = app.data_dir().join("media");
    assert_eq!(
        files_under(&media).len(),
        6,
        "two texts, a picture, three thumbnails"
    );

    let said = rotate_key(&app.data_dir(), &[]).await;
    assert!(said.contains("data key 2 made"), "{said}");
    assert!(
        said.contains("6 of 6 file(s): 6 re-sealed, 0 already under the new key, 0 failed"),
        "{said}"
    );
    for stored in files_under(&media) {
        assert_eq!(sealing_key(&stored), 2, "{}", stored.display());
    }
    assert_all_sealed(&media);

    // The running server learned the new key: what it sealed opens, and it seals with it.
    for id in [&plain, &sealed] {
        let (status, _, bytes) = app.download(&alice.access, id, &[]).await;
        assert_eq!((status, bytes == file), (200, true));
    }
    let (status, _, _) = app
        .fetch_thumbnail(&alice, url_of(&with_thumbnails, "medium"))
        .await;
    assert_eq!(status, 200);
    let later = app.upload_id(&alice, "later.txt", &file).await;
    let newest = files_under(&media)
        .into_iter()
        .find(|f| f.ends_with(&later))
        .unwrap();
    assert_eq!(sealing_key(&newest), 2);
}

/// Runs `hearth admin rotate-key` on `data` with the tests' master key and `env`; it must
/// succeed: what it wrote to stderr.
async fn rotate_key(data: &Path, env: &[(&str, &str)]) -> String {
    let data = data.to_owned();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let output = tokio::task::spawn_blocking(move || {
        hearth()
            .env("HEARTH_ENCRYPTION__ENABLED", "true")
            .env("HEARTH_ENCRYPTION__MASTER_KEY", STANDARD.encode([7u8; 32]))
            .envs(env)
            .args(["admin", "rotate-key", "--data"])
            .arg(&data)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{said}");
    said
}

#[tokio::test]
async fn rotating_the_key_on_s3_reseals_the_bucket() {
    let server = S3Server::start("hearth").await;
    let s3 = crate::media_s3::on_s3_config(&server);
    let app = TestApp::spawn_on_sqlite_with(move |config| {
        s3(config);
        encrypted(config);
    })
    .await;
    let alice = app.register("alice").await;
    let file = secret_file();
    let id = app.upload_id(&alice, "a.txt", &file).await;

    let said = rotate_key(
        &app.data_dir(),
        &[
            ("HEARTH_MEDIA__BACKEND", "s3"),
            ("HEARTH_MEDIA__S3__ENDPOINT", &server.endpoint),
            ("HEARTH_MEDIA__S3__BUCKET", &server.bucket),
            (
                "HEARTH_MEDIA__S3__ACCESS_KEY_ID",
                hearth_testkit::s3::ACCESS_KEY,
            ),
            (
                "HEARTH_MEDIA__S3__SECRET_ACCESS_KEY",
                hearth_testkit::s3::SECRET_KEY,
            ),
        ],
    )
    .await;
    assert!(said.contains("1 of 1 file(s): 1 re-sealed"), "{said}");
    let objects = files_under(&server.bucket_dir());
    assert_eq!(objects.len(), 1);
    assert_eq!(sealing_key(&objects[0]), 2);
    let (status, _, bytes) = app.download(&alice.access, &id, &[]).await;
    assert_eq!((status, bytes == file), (200, true));
}

#[tokio::test]
async fn rotating_with_encryption_off_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let output = hearth()
        .args(["admin", "rotate-key", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("encryption at rest is off"));
}
