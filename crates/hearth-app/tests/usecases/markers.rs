//! Read and delivered markers: they never move back, are clamped to the conversation's
//! latest seq, and give unread counts (never one's own messages) and delivery status.

use hearth_app::AppError;
use hearth_domain::DeliveryStatus;
use hearth_testkit::TestKit;

#[tokio::test]
async fn reading_up_to_a_message_clears_the_unread_count() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "one").await;
    let two = kit.post(&alice, dm, "two").await;
    assert_eq!(
        kit.app
            .conversations
            .get(bob.caller, dm)
            .await
            .unwrap()
            .unread_count,
        2
    );

    let (marker, unread) = kit
        .app
        .conversations
        .mark_read(bob.caller, dm, two.seq)
        .await
        .unwrap();

    assert_eq!((marker, unread), (two.seq, 0));
}

#[tokio::test]
async fn the_read_marker_never_moves_back() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let one = kit.post(&alice, dm, "one").await;
    let two = kit.post(&alice, dm, "two").await;
    kit.app
        .conversations
        .mark_read(bob.caller, dm, two.seq)
        .await
        .unwrap();

    let (marker, _) = kit
        .app
        .conversations
        .mark_read(bob.caller, dm, one.seq)
        .await
        .unwrap();

    assert_eq!(marker, two.seq);
}

#[tokio::test]
async fn the_read_marker_is_clamped_to_the_latest_seq() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let last = kit.post(&alice, dm, "one").await;

    let (marker, _) = kit
        .app
        .conversations
        .mark_read(bob.caller, dm, 1_000)
        .await
        .unwrap();

    assert_eq!(marker, last.seq);
}

#[tokio::test]
async fn a_negative_seq_is_a_validation_failure() {
    let kit = TestKit::new().await;
    let (_alice, bob, dm) = kit.alice_and_bob().await;

    assert_refused!(
        kit.app.conversations.mark_read(bob.caller, dm, -1).await,
        AppError::Validation(_)
    );
    assert_refused!(
        kit.app
            .conversations
            .mark_delivered(bob.caller, dm, -1)
            .await,
        AppError::Validation(_)
    );
}

#[tokio::test]
async fn ones_own_messages_are_never_unread() {
    let kit = TestKit::new().await;
    let (alice, _bob, dm) = kit.alice_and_bob().await;
    kit.post(&alice, dm, "one").await;

    let mine = kit.app.conversations.get(alice.caller, dm).await.unwrap();

    assert_eq!(mine.unread_count, 0);
}

#[tokio::test]
async fn delivery_status_follows_the_other_members_markers() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "hi").await;
    let status = || async {
        let markers = kit
            .app
            .conversations
            .markers(alice.caller, dm)
            .await
            .unwrap();
        DeliveryStatus::of(alice.id(), sent.seq, &markers)
    };
    assert_eq!(status().await, DeliveryStatus::Sent);

    kit.app
        .conversations
        .mark_delivered(bob.caller, dm, sent.seq)
        .await
        .unwrap();
    assert_eq!(status().await, DeliveryStatus::Delivered);

    kit.app
        .conversations
        .mark_read(bob.caller, dm, sent.seq)
        .await
        .unwrap();
    assert_eq!(status().await, DeliveryStatus::Read);
}
