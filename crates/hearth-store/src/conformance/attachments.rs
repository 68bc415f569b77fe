//! Conformance of attachments: a message's files are stored with it (or it is not stored),
//! read back in order on every read path, gone from its tombstone, and found by member for
//! downloads.

use hearth_domain::{FileName, Media, MediaId, Message};

use super::*;
use crate::{MessageDeletion, NewMedia};

/// A ready upload of `owner`'s.
async fn ready_file(store: &DynStore, owner: UserId, name: &str) -> Media {
    let id = MediaId::new();
    store
        .create_media(NewMedia {
            id,
            owner_id: owner,
            file_name: FileName::parse(name).unwrap(),
            declared_size: None,
            storage_key: format!("media/{id}"),
            created_at: now(),
            expires_at: now() + Duration::hours(1),
        })
        .await
        .unwrap();
    store
        .confirm_media(id, 42, "image/png", now())
        .await
        .unwrap()
}

fn with_files(mut message: NewMessage, files: &[&Media]) -> NewMessage {
    message.attachments = files.iter().map(|&m| m.clone()).collect();
    message
}

/// Where `member` may see `file` (see `attachment_places`).
async fn places(store: &DynStore, file: &Media, member: UserId) -> Vec<(ConversationId, i64)> {
    store.attachment_places(file.id, member).await.unwrap()
}

fn ids(message: &Message) -> Vec<MediaId> {
    message.attachments.iter().map(|m| m.id).collect()
}

pub async fn a_messages_files_are_read_back_in_order_on_every_read_path(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let first = ready_file(&store, alice.id, "first.png").await;
    let second = ready_file(&store, alice.id, "second.png").await;
    let new = with_files(new_message(dm, alice.id, "k1", "look"), &[&second, &first]);
    let sent = store.send_message(new).await.unwrap();
    let SendOutcome::Created(sent) = sent else {
        panic!("not created: {sent:?}");
    };
    let expected = vec![second.id, first.id];
    assert_eq!(ids(&sent), expected);
    assert_eq!(sent.attachments[0], second, "the whole record travels");
    let plain = send(&store, dm, alice.id, "k2", "no files").await;
    assert!(plain.message().attachments.is_empty());

    let after = store.messages_after(dm, 0, 10).await.unwrap();
    let found = after.iter().find(|m| m.id == sent.id).unwrap();
    assert_eq!(ids(found), expected);
    let recent = store.recent_messages(dm, 0, 10).await.unwrap();
    assert_eq!(
        ids(recent.iter().find(|m| m.id == sent.id).unwrap()),
        expected
    );
    let one = store.message(dm, sent.id).await.unwrap().unwrap();
    assert_eq!(one, sent);
    let by_key = store
        .message_by_client_id(alice.id, &ClientMessageId::parse("k1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids(&by_key), expected);
}

pub async fn an_empty_caption_is_stored_with_files(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let file = ready_file(&store, alice.id, "scan.pdf").await;
    let mut new = with_files(new_message(dm, alice.id, "k1", "x"), &[&file]);
    new.content = MessageContent::parse_caption("").unwrap();
    let sent = store.send_message(new).await.unwrap();
    let read = store.message(dm, sent.message().id).await.unwrap().unwrap();
    assert_eq!(read.text(), Some(""));
    assert_eq!(ids(&read), vec![file.id]);
}

pub async fn a_send_naming_a_missing_file_stores_nothing(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let kept = ready_file(&store, alice.id, "kept.png").await;
    let gone = ready_file(&store, alice.id, "gone.png").await;
    assert!(store.delete_media(gone.id).await.unwrap());
    let before = store.messages_after(dm, 0, 10).await.unwrap().len();
    let refused = store
        .send_message(with_files(
            new_message(dm, alice.id, "k1", "files"),
            &[&kept, &gone],
        ))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(Missing::Media))),
        "{refused:?}"
    );
    assert_eq!(store.messages_after(dm, 0, 10).await.unwrap().len(), before);
    // Nothing of it stayed: the key is free, and the next message takes the next seq.
    let next = send(&store, dm, alice.id, "k1", "files").await;
    let SendOutcome::Created(next) = next else {
        panic!("the key was taken: {next:?}");
    };
    assert!(next.attachments.is_empty());
    let log = store.messages_after(dm, 0, 10).await.unwrap();
    let seqs: Vec<_> = log.iter().map(|m| m.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
}

pub async fn a_retry_replays_its_files_and_other_files_conflict(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let a = ready_file(&store, alice.id, "a.png").await;
    let b = ready_file(&store, alice.id, "b.png").await;
    let new = with_files(new_message(dm, alice.id, "k1", "hi"), &[&a, &b]);
    let first = store.send_message(new.clone()).await.unwrap();
    let again = store
        .send_message(NewMessage {
            id: MessageId::new(),
            ..new.clone()
        })
        .await
        .unwrap();
    assert!(matches!(&again, SendOutcome::Replayed(m) if *m == *first.message()));
    for files in [vec![&b, &a], vec![&a], vec![]] {
        let other = store
            .send_message(with_files(new_message(dm, alice.id, "k1", "hi"), &files))
            .await;
        assert!(
            matches!(
                other,
                Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused))
            ),
            "{other:?}"
        );
    }
}

pub async fn a_tombstone_has_no_files_and_is_no_place_of_them(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let file = ready_file(&store, alice.id, "a.png").await;
    let sent = store
        .send_message(with_files(new_message(dm, alice.id, "k1", "hi"), &[&file]))
        .await
        .unwrap();
    let sent = sent.message().clone();
    store
        .delete_message(MessageDeletion {
            conversation_id: dm,
            message_id: sent.id,
            deleter: alice.id,
            at: now(),
        })
        .await
        .unwrap();
    let read = store.message(dm, sent.id).await.unwrap().unwrap();
    assert!(read.is_deleted());
    assert!(read.attachments.is_empty());
    let after = store.messages_after(dm, 0, 10).await.unwrap();
    assert!(after.iter().all(|m| m.attachments.is_empty()));
    assert!(places(&store, &file, bob.id).await.is_empty());
}

pub async fn attachment_places_are_the_latest_seq_per_conversation_of_a_member(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let file = ready_file(&store, alice.id, "a.png").await;
    let unrelated = ready_file(&store, alice.id, "b.png").await;
    assert!(
        places(&store, &file, bob.id).await.is_empty(),
        "not attached yet"
    );
    let mut seqs = Vec::new();
    for key in ["k1", "k2"] {
        let sent = store
            .send_message(with_files(new_message(dm, alice.id, key, "hi"), &[&file]))
            .await
            .unwrap();
        seqs.push(sent.message().seq);
    }
    let in_group = group(&store, &alice, &[&carol], HistoryVisibility::All).await;
    let sent = store
        .send_message(with_files(
            new_message(in_group, alice.id, "k3", "hi"),
            &[&file],
        ))
        .await
        .unwrap();
    let group_seq = sent.message().seq;

    let mut for_alice = places(&store, &file, alice.id).await;
    for_alice.sort();
    let mut expected = vec![(dm, seqs[1]), (in_group, group_seq)];
    expected.sort();
    assert_eq!(for_alice, expected);
    assert_eq!(
        places(&store, &file, bob.id).await,
        vec![(dm, seqs[1])],
        "bob is not in the group"
    );
    assert_eq!(
        places(&store, &file, carol.id).await,
        vec![(in_group, group_seq)],
        "carol is in the group only"
    );
    let dave = user(&store, "dave").await;
    assert!(places(&store, &file, dave.id).await.is_empty());
    assert!(places(&store, &unrelated, alice.id).await.is_empty());
}

pub async fn deleting_a_file_takes_its_attachments_with_it(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let file = ready_file(&store, alice.id, "a.png").await;
    let kept = ready_file(&store, alice.id, "b.png").await;
    let sent = store
        .send_message(with_files(
            new_message(dm, alice.id, "k1", "hi"),
            &[&file, &kept],
        ))
        .await
        .unwrap();
    assert!(store.delete_media(file.id).await.unwrap());
    let read = store.message(dm, sent.message().id).await.unwrap().unwrap();
    assert_eq!(ids(&read), vec![kept.id]);
    assert!(places(&store, &file, bob.id).await.is_empty());
}
