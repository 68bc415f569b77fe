//! The SDK's message calls against the real server: edit, delete, reactions, search, and the
//! typed errors they answer.

use hearth_proto::ErrorCode;
use hearth_sdk::{ClientError, SearchPageRequest};

use uuid::Uuid;

use crate::sdk_support::{SdkUser, sdk_alice_and_bob, sdk_user};
use crate::support::TestApp;

fn contents(results: &hearth_proto::SearchResults) -> Vec<String> {
    results
        .results
        .iter()
        .map(|r| r.message.content.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn test_sdk_edit_round_trip() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "helo").await.unwrap();

    let edited = alice
        .client
        .edit_message(dm, sent.id, "hello")
        .await
        .unwrap();

    assert_eq!(edited.content.as_deref(), Some("hello"));
    assert_eq!(edited.edit_count, 1);
    assert!(edited.edited_at.is_some());
    let seen = bob.client.message(dm, sent.id).await.unwrap();
    assert_eq!(
        (seen.content.as_deref(), seen.edit_count),
        (Some("hello"), 1),
        "the other member reads the edit"
    );
}

#[tokio::test]
async fn test_sdk_editing_someone_elses_message_is_a_typed_forbidden() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "mine").await.unwrap();

    let err = bob
        .client
        .edit_message(dm, sent.id, "yours now")
        .await
        .expect_err("not the author");

    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    assert!(
        matches!(err, ClientError::Api { status: 403, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn test_sdk_delete_leaves_a_tombstone_in_history() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "oops").await.unwrap();

    let tombstone = alice.client.delete_message(dm, sent.id).await.unwrap();

    assert!(tombstone.deleted);
    assert_eq!(tombstone.content, None);
    let page = bob.client.messages_after(dm, 0, 100).await.unwrap();
    let kept = page.messages.iter().find(|m| m.id == sent.id).unwrap();
    assert!(kept.deleted && kept.content.is_none(), "{kept:?}");
}

#[tokio::test]
async fn test_sdk_editing_a_deleted_message_is_a_typed_conflict() {
    let app = TestApp::spawn().await;
    let (alice, _, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "oops").await.unwrap();
    alice.client.delete_message(dm, sent.id).await.unwrap();

    let err = alice
        .client
        .edit_message(dm, sent.id, "back")
        .await
        .expect_err("deleted");

    assert_eq!(err.code(), Some(ErrorCode::Conflict));
}

#[tokio::test]
async fn test_sdk_reaction_round_trip() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "lunch?").await.unwrap();

    let reacted = bob.client.add_reaction(dm, sent.id, "👍").await.unwrap();

    let [reaction] = reacted.reactions.as_slice() else {
        panic!("one reaction: {:?}", reacted.reactions);
    };
    assert_eq!((reaction.emoji.as_str(), reaction.count), ("👍", 1));
    assert!(reaction.reacted_by_me);
    let as_alice = alice.client.message(dm, sent.id).await.unwrap();
    assert!(!as_alice.reactions[0].reacted_by_me);
    let removed = bob.client.remove_reaction(dm, sent.id, "👍").await.unwrap();
    assert!(removed.reactions.is_empty());
}

#[tokio::test]
async fn test_sdk_a_reaction_that_is_not_an_emoji_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let (alice, _, dm) = sdk_alice_and_bob(&app).await;
    let sent = alice.client.send_message(dm, "k1", "hi").await.unwrap();

    let err = alice
        .client
        .add_reaction(dm, sent.id, "a/b c")
        .await
        .expect_err("not an emoji");

    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
}

#[tokio::test]
async fn test_sdk_validation_errors_carry_the_fields() {
    let app = TestApp::spawn().await;
    let (alice, _, dm) = sdk_alice_and_bob(&app).await;

    let err = alice
        .client
        .send_message(dm, "k1", "   ")
        .await
        .expect_err("blank");

    let ClientError::Api {
        code: ErrorCode::ValidationFailed,
        details: Some(details),
        ..
    } = err
    else {
        panic!("validation_failed with details: {err:?}");
    };
    assert!(details["content"].is_string(), "{details}");
}

/// Alice and Bob's DM holds "lunch at noon"; Alice's DM with Carol holds "lunch with carol".
async fn two_lunches(app: &TestApp) -> (SdkUser, SdkUser, Uuid) {
    let (alice, bob, dm) = sdk_alice_and_bob(app).await;
    let carol = sdk_user(app, "carol").await;
    let other = alice.client.direct(carol.user.id).await.unwrap().id;
    alice
        .client
        .send_message(dm, "k1", "lunch at noon")
        .await
        .unwrap();
    alice
        .client
        .send_message(other, "k2", "lunch with carol")
        .await
        .unwrap();
    (alice, bob, dm)
}

#[tokio::test]
async fn test_sdk_search_of_one_conversation_finds_only_its_messages() {
    let app = TestApp::spawn().await;
    let (_, bob, dm) = two_lunches(&app).await;

    let found = bob
        .client
        .search_conversation(dm, "lunch", &SearchPageRequest::default())
        .await
        .unwrap();

    assert_eq!(contents(&found), ["lunch at noon"]);
    assert!(
        found.results[0]
            .snippet
            .iter()
            .any(|p| p.highlight && p.text == "lunch")
    );
}

#[tokio::test]
async fn test_sdk_search_all_spans_the_callers_conversations_newest_first() {
    let app = TestApp::spawn().await;
    let (alice, _, _) = two_lunches(&app).await;

    let found = alice
        .client
        .search_all("lunch", &SearchPageRequest::default())
        .await
        .unwrap();

    assert_eq!(contents(&found), ["lunch with carol", "lunch at noon"]);
}

#[tokio::test]
async fn test_sdk_search_pages_with_the_cursor() {
    let app = TestApp::spawn().await;
    let (alice, _, dm) = sdk_alice_and_bob(&app).await;
    for i in 0..3 {
        alice
            .client
            .send_message(dm, &format!("k{i}"), &format!("note {i}"))
            .await
            .unwrap();
    }
    let first = SearchPageRequest {
        cursor: None,
        limit: Some(2),
    };
    let page = alice
        .client
        .search_conversation(dm, "note", &first)
        .await
        .unwrap();
    assert_eq!(contents(&page), ["note 2", "note 1"]);
    assert!(page.has_more);

    let next = SearchPageRequest {
        cursor: page.next_cursor,
        limit: Some(2),
    };
    let rest = alice
        .client
        .search_conversation(dm, "note", &next)
        .await
        .unwrap();

    assert_eq!(contents(&rest), ["note 0"]);
    assert!(!rest.has_more);
}

#[tokio::test]
async fn test_sdk_search_of_a_conversation_the_caller_is_not_in_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_, _, dm) = sdk_alice_and_bob(&app).await;
    let carol = sdk_user(&app, "carol").await;

    let err = carol
        .client
        .search_conversation(dm, "anything", &SearchPageRequest::default())
        .await
        .expect_err("not a member");

    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
}
