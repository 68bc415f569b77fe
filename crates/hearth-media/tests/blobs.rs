//! The blob store port's behaviour, run against both adapters: the local folder and a real
//! S3-compatible server (s3s-fs on loopback).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code"
)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, stream};
use hearth_app::blobs::{BlobError, BlobKey, BlobStore, ByteStream, Presign};
use hearth_media::{LocalBlobs, S3Blobs, S3Config, Secret};
use hearth_testkit::s3::{ACCESS_KEY, S3Server, SECRET_KEY};

/// A store under test and what keeps it alive.
struct Under {
    blobs: Arc<dyn BlobStore>,
    _keep: Box<dyn std::any::Any + Send>,
}

async fn local() -> Under {
    let dir = tempfile::tempdir().unwrap();
    let blobs = LocalBlobs::open(&dir.path().join("media")).await.unwrap();
    Under {
        blobs: Arc::new(blobs),
        _keep: Box::new(dir),
    }
}

fn s3_config(server: &S3Server) -> S3Config {
    S3Config {
        endpoint: server.endpoint.clone(),
        bucket: server.bucket.clone(),
        region: "us-east-1".to_owned(),
        access_key_id: ACCESS_KEY.to_owned(),
        secret_access_key: Secret::new(SECRET_KEY),
        path_style: true,
    }
}

async fn s3() -> Under {
    let server = S3Server::start("hearth-media").await;
    let blobs = S3Blobs::new(&s3_config(&server)).unwrap();
    Under {
        blobs: Arc::new(blobs),
        _keep: Box::new(server),
    }
}

fn body(chunks: Vec<Vec<u8>>) -> ByteStream {
    Box::pin(stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c)))))
}

async fn read(
    blobs: &dyn BlobStore,
    key: &BlobKey,
    range: Option<std::ops::Range<u64>>,
) -> Vec<u8> {
    let mut stream = blobs.get(key, range).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn round_trip_with_ranges_and_delete(blobs: Arc<dyn BlobStore>) {
    let key = BlobKey::new("media/round-trip").unwrap();
    let data = pattern(100_000);
    let chunks = data.chunks(7_000).map(<[u8]>::to_vec).collect();
    assert_eq!(blobs.put(&key, body(chunks)).await.unwrap(), 100_000);
    assert_eq!(blobs.head(&key).await.unwrap().size, 100_000);
    assert_eq!(read(blobs.as_ref(), &key, None).await, data);
    assert_eq!(read(blobs.as_ref(), &key, Some(10..20)).await, data[10..20]);
    assert_eq!(
        read(blobs.as_ref(), &key, Some(99_990..100_000)).await,
        data[99_990..]
    );
    blobs.delete(&key).await.unwrap();
    assert!(matches!(blobs.head(&key).await, Err(BlobError::NotFound)));
    assert!(matches!(
        blobs.get(&key, None).await,
        Err(BlobError::NotFound)
    ));
    blobs.delete(&key).await.unwrap();
}

async fn a_failed_body_leaves_nothing(blobs: Arc<dyn BlobStore>) {
    for size in [1_000, 6 * 1024 * 1024] {
        let key = BlobKey::new("media/failed").unwrap();
        let failing: ByteStream = Box::pin(
            stream::iter(vec![Ok(Bytes::from(pattern(size)))]).chain(stream::iter(vec![Err(
                BlobError::Body("client went away".into()),
            )])),
        );
        let result = blobs.put(&key, failing).await;
        assert!(matches!(result, Err(BlobError::Body(_))), "{result:?}");
        assert!(
            matches!(blobs.head(&key).await, Err(BlobError::NotFound)),
            "size {size}"
        );
    }
}

async fn a_large_body_streams_in_parts(blobs: Arc<dyn BlobStore>) {
    let key = BlobKey::new("media/large").unwrap();
    let data = pattern(12 * 1024 * 1024 + 17);
    let chunks = data.chunks(64 * 1024).map(<[u8]>::to_vec).collect();
    assert_eq!(
        blobs.put(&key, body(chunks)).await.unwrap(),
        data.len() as u64
    );
    assert_eq!(blobs.head(&key).await.unwrap().size, data.len() as u64);
    let back = read(blobs.as_ref(), &key, None).await;
    assert!(back == data, "the bytes read back are the bytes stored");
}

macro_rules! both {
    ($($name:ident),*) => {
        mod local_folder {
            $(#[tokio::test]
            async fn $name() { super::$name(super::local().await.blobs).await; })*
        }
        mod s3_bucket {
            $(#[tokio::test]
            async fn $name() {
                let under = super::s3().await;
                super::$name(under.blobs.clone()).await;
            })*
        }
    };
}

both!(
    round_trip_with_ranges_and_delete,
    a_failed_body_leaves_nothing,
    a_large_body_streams_in_parts
);

#[tokio::test]
async fn the_local_folder_cannot_presign() {
    let under = local().await;
    let key = BlobKey::new("media/x").unwrap();
    let url = under
        .blobs
        .presign(Presign::Put, &key, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(url, None, "Hearth signs local transfers itself");
}

#[tokio::test]
async fn an_s3_presigned_put_works_and_a_tampered_or_expired_one_is_refused() {
    let server = S3Server::start("hearth-media").await;
    let blobs = S3Blobs::new(&s3_config(&server)).unwrap();
    let client = reqwest::Client::new();
    let key = BlobKey::new("media/presigned").unwrap();

    let url = blobs
        .presign(Presign::Put, &key, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let put = client
        .put(&url)
        .body("straight to the bucket")
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    assert_eq!(blobs.head(&key).await.unwrap().size, 22);
    let on_disk = std::fs::read(server.bucket_dir().join("media/presigned")).unwrap();
    assert_eq!(on_disk, b"straight to the bucket");

    let get = blobs
        .presign(Presign::Get, &key, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let got = client.get(&get).send().await.unwrap();
    assert_eq!(got.text().await.unwrap(), "straight to the bucket");

    let other = BlobKey::new("media/tampered").unwrap();
    let signed = blobs
        .presign(Presign::Put, &other, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let tampered = signed.replace("media/tampered", "media/elsewhere");
    let refused = client.put(&tampered).body("x").send().await.unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());

    let short = blobs
        .presign(Presign::Put, &other, Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    // The URL's lifetime is wall-clock time: nothing to await but the clock.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let expired = client.put(&short).body("late").send().await.unwrap();
    assert!(expired.status().is_client_error(), "{}", expired.status());
    assert!(matches!(blobs.head(&other).await, Err(BlobError::NotFound)));
}
