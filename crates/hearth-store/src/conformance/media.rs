//! Conformance of media records: pending until confirmed once, expired ones listed for the
//! sweeper, deleted once.

use hearth_domain::{FileName, MediaId, MediaStatus};

use super::*;
use crate::{MediaRecord, NewMedia};

fn pending(owner: UserId, expires_in: Duration) -> NewMedia {
    let id = MediaId::new();
    NewMedia {
        id,
        owner_id: owner,
        file_name: FileName::parse("holiday photo.jpg").unwrap(),
        declared_size: Some(12_345),
        storage_key: format!("media/{id}"),
        created_at: now(),
        expires_at: now() + expires_in,
    }
}

pub async fn a_pending_upload_reads_back_as_recorded(store: DynStore) {
    let owner = user(&store, "uploader").await;
    let new = pending(owner.id, Duration::hours(1));
    let created = store.create_media(new.clone()).await.unwrap();
    let expected = MediaRecord {
        id: new.id,
        owner_id: owner.id,
        status: MediaStatus::Pending,
        file_name: new.file_name.clone(),
        declared_size: Some(12_345),
        size: None,
        content_type: None,
        storage_key: new.storage_key.clone(),
        created_at: new.created_at,
        expires_at: Some(new.expires_at),
        confirmed_at: None,
        thumbnails: None,
    };
    assert_eq!(created, expected);
    assert_eq!(store.media(new.id).await.unwrap(), Some(expected));
    assert_eq!(store.media(MediaId::new()).await.unwrap(), None);
}

pub async fn confirming_makes_it_ready_once(store: DynStore) {
    let owner = user(&store, "uploader").await;
    let new = pending(owner.id, Duration::hours(1));
    store.create_media(new.clone()).await.unwrap();
    let at = now();
    let ready = store
        .confirm_media(new.id, 12_345, "image/jpeg", at)
        .await
        .unwrap();
    assert_eq!(ready.status, MediaStatus::Ready);
    assert_eq!(ready.size, Some(12_345));
    assert_eq!(ready.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(ready.confirmed_at, Some(at));
    assert_eq!(ready.expires_at, None, "a ready upload never expires");
    assert_eq!(store.media(new.id).await.unwrap(), Some(ready));
    let again = store.confirm_media(new.id, 1, "text/plain", now()).await;
    assert!(
        matches!(again, Err(StoreError::NotFound(Missing::Media))),
        "{again:?}"
    );
    let unknown = store
        .confirm_media(MediaId::new(), 1, "text/plain", now())
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound(Missing::Media))));
}

pub async fn media_of_an_unknown_owner_is_not_found(store: DynStore) {
    let result = store
        .create_media(pending(UserId::new(), Duration::hours(1)))
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound(Missing::User))),
        "{result:?}"
    );
}

pub async fn expired_uploads_are_listed_oldest_first_and_only_while_pending(store: DynStore) {
    let owner = user(&store, "uploader").await;
    let older = pending(owner.id, Duration::seconds(-20));
    let newer = pending(owner.id, Duration::seconds(-10));
    let confirmed = pending(owner.id, Duration::seconds(-30));
    let live = pending(owner.id, Duration::hours(1));
    for media in [&newer, &older, &confirmed, &live] {
        store.create_media(media.clone()).await.unwrap();
    }
    store
        .confirm_media(confirmed.id, 3, "text/plain", now())
        .await
        .unwrap();
    let expired = store.expired_media(now(), 10).await.unwrap();
    let ids: Vec<MediaId> = expired.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![older.id, newer.id]);
    let first = store.expired_media(now(), 1).await.unwrap();
    assert_eq!(first.len(), 1, "the limit holds");
}

pub async fn deleting_media_removes_the_record_once(store: DynStore) {
    let owner = user(&store, "uploader").await;
    let new = pending(owner.id, Duration::hours(1));
    store.create_media(new.clone()).await.unwrap();
    assert!(store.delete_media(new.id).await.unwrap());
    assert!(!store.delete_media(new.id).await.unwrap());
    assert_eq!(store.media(new.id).await.unwrap(), None);
}

pub async fn media_of_an_owner_are_theirs_oldest_first(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let mut first = pending(alice.id, Duration::hours(1));
    first.created_at -= Duration::seconds(10);
    let first = store.create_media(first).await.unwrap();
    let second = store
        .create_media(pending(alice.id, Duration::hours(1)))
        .await
        .unwrap();
    store
        .create_media(pending(bob.id, Duration::hours(1)))
        .await
        .unwrap();

    let ids: Vec<MediaId> = store
        .media_of(alice.id, None, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, vec![first.id, second.id]);
    assert_eq!(store.media_of(alice.id, None, 1).await.unwrap().len(), 1);
    let after_first = store.media_of(alice.id, Some(first.id), 10).await.unwrap();
    assert_eq!(
        after_first.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![second.id],
        "a page after the first"
    );
    assert!(
        store
            .media_of(UserId::new(), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn ready_images_await_thumbnails_until_they_are_recorded_once(store: DynStore) {
    use hearth_domain::{PictureFormat, Thumbnail, ThumbnailSize};
    let owner = user(&store, "uploader").await;
    let mut ids = Vec::new();
    for content_type in ["image/png", "application/pdf", "image/webp"] {
        let new = pending(owner.id, Duration::hours(1));
        store.create_media(new.clone()).await.unwrap();
        store
            .confirm_media(new.id, 10, content_type, now())
            .await
            .unwrap();
        ids.push(new.id);
    }
    store
        .create_media(pending(owner.id, Duration::hours(1)))
        .await
        .unwrap();
    let waiting: Vec<MediaId> = store
        .media_awaiting_thumbnails(10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        waiting,
        vec![ids[0], ids[2]],
        "ready images only, oldest first"
    );
    assert_eq!(store.media_awaiting_thumbnails(1).await.unwrap().len(), 1);

    let made = vec![Thumbnail {
        size: ThumbnailSize::Small,
        format: PictureFormat::Jpeg,
        width: 160,
        height: 90,
        bytes: 4_321,
    }];
    assert!(store.set_thumbnails(ids[0], &made).await.unwrap());
    assert!(
        !store.set_thumbnails(ids[0], &[]).await.unwrap(),
        "recorded once"
    );
    let read = store.media(ids[0]).await.unwrap().unwrap();
    assert_eq!(read.thumbnails, Some(made));
    assert!(store.set_thumbnails(ids[2], &[]).await.unwrap());
    assert_eq!(
        store.media(ids[2]).await.unwrap().unwrap().thumbnails,
        Some(Vec::new()),
        "none can be made is not the same as not made yet"
    );
    assert!(
        store
            .media_awaiting_thumbnails(10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.set_thumbnails(MediaId::new(), &[]).await.unwrap());
}
