//! The SDK's conversation calls against the real server: members, read and delivered markers.

use hearth_proto::{CreateConversationRequest, ErrorCode};
use hearth_sdk::JoinOutcome;

use crate::sdk_support::{SdkUser, sdk_alice_and_bob, sdk_user};
use crate::support::TestApp;

fn group(title: &str, members: &[uuid::Uuid]) -> CreateConversationRequest {
    serde_json::from_value(serde_json::json!({
        "type": "group",
        "title": title,
        "member_ids": members,
    }))
    .expect("create request")
}

/// The delivery status of the message at `seq` as its sender reads it in history (the one
/// read path that carries every member's markers).
async fn status_of(sender: &SdkUser, conversation: uuid::Uuid, seq: i64) -> String {
    let page = sender
        .client
        .messages_after(conversation, seq - 1, 1)
        .await
        .unwrap();
    page.messages[0].status.clone()
}

#[tokio::test]
async fn test_sdk_members_lists_in_join_order_and_pages() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let carol = sdk_user(&app, "carol").await;
    let id = alice
        .client
        .create_conversation(&group("team", &[bob.user.id, carol.user.id]))
        .await
        .unwrap()
        .id;

    let first = alice.client.members(id, 0, Some(2)).await.unwrap();
    let rest = alice.client.members(id, 2, Some(2)).await.unwrap();

    assert_eq!(first.members[0].user.id, alice.user.id);
    assert_eq!(first.members[0].role, "owner");
    assert!(first.has_more);
    assert_eq!(rest.members.len(), 1);
    assert!(!rest.has_more);
}

#[tokio::test]
async fn test_sdk_add_and_remove_member_round_trip() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let id = alice
        .client
        .create_conversation(&group("team", &[]))
        .await
        .unwrap()
        .id;

    let added = alice.client.add_member(id, bob.user.id).await.unwrap();
    assert_eq!(
        (added.user.id, added.role.as_str()),
        (bob.user.id, "member")
    );
    assert_eq!(bob.client.conversation(id).await.unwrap().member_count, 2);

    alice.client.remove_member(id, bob.user.id).await.unwrap();

    let err = bob.client.conversation(id).await.expect_err("removed");
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
}

#[tokio::test]
async fn test_sdk_leave_takes_the_conversation_off_the_list() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let id = alice
        .client
        .create_conversation(&group("team", &[bob.user.id]))
        .await
        .unwrap()
        .id;

    bob.client.leave(id).await.unwrap();

    let listed = bob.client.conversations().await.unwrap();
    assert!(listed.iter().all(|c| c.id != id), "{listed:?}");
}

#[tokio::test]
async fn test_sdk_mark_read_clears_the_unread_count() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "hi").await.unwrap();
    assert_eq!(bob.client.conversation(dm).await.unwrap().unread_count, 1);

    let marker = bob.client.mark_read(dm, sent.seq).await.unwrap();

    assert_eq!((marker.last_read_seq, marker.unread_count), (sent.seq, 0));
    assert_eq!(status_of(&alice, dm, sent.seq).await, "read");
}

#[tokio::test]
async fn test_sdk_mark_delivered_moves_the_status_to_delivered() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "hi").await.unwrap();

    let marker = bob.client.mark_delivered(dm, sent.seq).await.unwrap();

    assert_eq!(marker.last_delivered_seq, sent.seq);
    assert_eq!(status_of(&alice, dm, sent.seq).await, "delivered");
}

/// A room owned by `owner` that takes members by approved request.
async fn club(owner: &SdkUser) -> uuid::Uuid {
    let request: CreateConversationRequest = serde_json::from_value(serde_json::json!({
        "type": "room", "title": "the club", "require_approval": true,
    }))
    .unwrap();
    owner.client.create_conversation(&request).await.unwrap().id
}

#[tokio::test]
async fn test_sdk_join_of_a_room_that_requires_approval_is_a_request_a_manager_approves() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let room = club(&alice).await;

    let outcome = bob.client.join(room).await.unwrap();

    let JoinOutcome::Requested(asked) = outcome else {
        panic!("a request: {outcome:?}");
    };
    assert_eq!(asked.user.id, bob.user.id);
    let waiting = alice.client.join_requests(room).await.unwrap();
    assert_eq!(waiting.len(), 1);
    let member = alice
        .client
        .approve_join_request(room, bob.user.id)
        .await
        .unwrap();
    assert_eq!(member.user.id, bob.user.id);
    assert_eq!(bob.client.conversation(room).await.unwrap().id, room);
}

#[tokio::test]
async fn test_sdk_join_of_an_open_room_joins() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let request: CreateConversationRequest =
        serde_json::from_value(serde_json::json!({ "type": "room", "title": "open room" }))
            .unwrap();
    let room = alice.client.create_conversation(&request).await.unwrap().id;

    let outcome = bob.client.join(room).await.unwrap();

    assert!(
        matches!(&outcome, JoinOutcome::Joined(c) if c.id == room),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn test_sdk_denied_join_request_is_gone() {
    let app = TestApp::spawn().await;
    let (alice, bob, _) = sdk_alice_and_bob(&app).await;
    let room = club(&alice).await;
    bob.client.join(room).await.unwrap();

    alice
        .client
        .deny_join_request(room, bob.user.id)
        .await
        .unwrap();

    assert!(alice.client.join_requests(room).await.unwrap().is_empty());
}
