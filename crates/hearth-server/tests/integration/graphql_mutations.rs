//! The GraphQL face's mutations over HTTP: every one of seed 001, each checked for its
//! effect and for the rule the use case answers.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_graphql_send_message_shares_its_idempotency_key_with_rest() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let over_rest = app
        .send(&alice, &dm, "shared-key", "once")
        .await
        .expect(201);
    let send = "mutation($c: ID!) { sendMessage(conversationId: $c, content: \"once\", clientMessageId: \"shared-key\") { id content seq clientMessageId status sender { username } } }";

    let answer = app.gql(&alice, send, json!({ "c": dm })).await;

    let message = &answer.data()["sendMessage"];
    assert_eq!(message["id"], over_rest.data()["id"]);
    assert_eq!(message["seq"], over_rest.data()["seq"]);
    assert_eq!(message["sender"]["username"], "alice");
    assert_eq!(app.all_messages(&alice, &dm).await.len(), 1);
}

#[tokio::test]
async fn test_graphql_send_message_reuse_of_a_key_with_other_content_conflicts() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k", "first").await.expect(201);
    let send = "mutation($c: ID!) { sendMessage(conversationId: $c, content: \"other\", clientMessageId: \"k\") { id } }";

    app.gql(&alice, send, json!({ "c": dm }))
        .await
        .expect_code("conflict");
}

#[tokio::test]
async fn test_graphql_send_message_validates_content() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let send = "mutation($c: ID!) { sendMessage(conversationId: $c, content: \"   \") { id } }";

    let answer = app.gql(&alice, send, json!({ "c": dm })).await;

    answer.expect_code("validation_failed");
    assert!(answer.0.body["errors"][0]["extensions"]["details"].is_object());
}

#[tokio::test]
async fn test_graphql_create_group_makes_the_caller_owner_with_the_participants() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let create = "mutation($ids: [ID!]!) { createGroup(name: \"Team\", participantIds: $ids) { id isGroup groupName ownerId participants { id } } }";

    let answer = app
        .gql(&alice, create, json!({ "ids": [bob.user_id] }))
        .await;

    let group = &answer.data()["createGroup"];
    assert_eq!(group["isGroup"], true);
    assert_eq!(group["groupName"], "Team");
    assert_eq!(group["ownerId"], alice.user_id.as_str());
    assert_eq!(group["participants"].as_array().unwrap().len(), 2);
}

const UPDATE: &str = "mutation($c: ID!, $s: GroupSettingsInput!) { updateGroupSettings(conversationId: $c, settings: $s) { groupName description requireApproval messageHistoryVisibility } }";

#[tokio::test]
async fn test_graphql_update_group_settings_changes_what_is_given() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let group = app.group(&alice, &[&bob]).await;
    let settings = json!({ "name": "Renamed", "requireApproval": true, "messageHistoryVisibility": "MEMBER_JOIN_DATE" });

    let answer = app
        .gql(&alice, UPDATE, json!({ "c": group, "s": settings }))
        .await;

    let updated = &answer.data()["updateGroupSettings"];
    assert_eq!(updated["groupName"], "Renamed");
    assert_eq!(updated["requireApproval"], true);
    assert_eq!(updated["messageHistoryVisibility"], "MEMBER_JOIN_DATE");
}

#[tokio::test]
async fn test_graphql_update_group_settings_is_forbidden_to_a_plain_member() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let group = app.group(&alice, &[&bob]).await;

    app.gql(&bob, UPDATE, json!({ "c": group, "s": { "name": "Mine" } }))
        .await
        .expect_code("forbidden");
}

const TRANSFER: &str = "mutation($c: ID!, $from: ID!, $to: ID!) { transferAdmin(conversationId: $c, currentAdminId: $from, newAdminId: $to) { ownerId } }";

#[tokio::test]
async fn test_graphql_transfer_admin_hands_ownership_to_the_new_admin() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let group = app.group(&alice, &[&bob]).await;

    let answer = app
        .gql(
            &alice,
            TRANSFER,
            json!({ "c": group, "from": alice.user_id, "to": bob.user_id }),
        )
        .await;

    assert_eq!(
        answer.data()["transferAdmin"]["ownerId"],
        bob.user_id.as_str()
    );
}

#[tokio::test]
async fn test_graphql_transfer_admin_needs_the_caller_as_current_admin() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let group = app.group(&alice, &[&bob]).await;

    // Bob names Alice as the current admin: he is not her.
    app.gql(
        &bob,
        TRANSFER,
        json!({ "c": group, "from": alice.user_id, "to": bob.user_id }),
    )
    .await
    .expect_code("forbidden");
    // Bob names himself: he is not the owner.
    app.gql(
        &bob,
        TRANSFER,
        json!({ "c": group, "from": bob.user_id, "to": bob.user_id }),
    )
    .await
    .expect_code("forbidden");
}

#[tokio::test]
async fn test_graphql_add_and_remove_reaction_round_trip() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app.send(&alice, &dm, "k", "react to me").await.expect(201);
    let id = sent.data()["id"].as_str().unwrap().to_owned();
    let add = "mutation($m: ID!) { addReaction(messageId: $m, reactionType: \"👍\") { messageId reactionType count reactedByMe } }";
    let remove = "mutation($m: ID!) { removeReaction(messageId: $m, reactionType: \"👍\") }";

    let added = app.gql(&bob, add, json!({ "m": id })).await;
    let removed = app.gql(&bob, remove, json!({ "m": id })).await;
    let removed_again = app.gql(&bob, remove, json!({ "m": id })).await;

    let reaction = &added.data()["addReaction"];
    assert_eq!(reaction["messageId"], id.as_str());
    assert_eq!(reaction["reactionType"], "👍");
    assert_eq!(reaction["count"], 1);
    assert_eq!(reaction["reactedByMe"], true);
    assert_eq!(removed.data()["removeReaction"], true);
    assert_eq!(removed_again.data()["removeReaction"], false);
}

#[tokio::test]
async fn test_graphql_add_reaction_is_forbidden_to_outsiders_and_unknown_is_not_found() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let sent = app.send(&alice, &dm, "k", "private").await.expect(201);
    let add = "mutation($m: ID!) { addReaction(messageId: $m, reactionType: \"👍\") { count } }";

    app.gql(&carol, add, json!({ "m": sent.data()["id"] }))
        .await
        .expect_code("forbidden");
    app.gql(
        &carol,
        add,
        json!({ "m": uuid::Uuid::now_v7().to_string() }),
    )
    .await
    .expect_code("not_found");
}

#[tokio::test]
async fn test_graphql_generate_media_thumbnail_is_not_found_without_media() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let make = "mutation($m: ID!) { generateMediaThumbnail(mediaId: $m, size: SMALL) { id } }";

    app.gql(
        &alice,
        make,
        json!({ "m": uuid::Uuid::now_v7().to_string() }),
    )
    .await
    .expect_code("not_found");
}
