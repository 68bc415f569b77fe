//! Membership and settings changes reach the members' sockets as they happen — including the
//! member who was added or removed.

use serde_json::json;

#[tokio::test]
async fn test_a_removed_member_stops_viewing_the_conversation() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let group = app.group(&owner, &[&bob]).await;
    let mut owners = app.ws(&owner).await;
    let mut bobs = app.ws(&bob).await;
    owners.subscribe(&group).await;
    bobs.subscribe(&group).await;
    owners.next_of("user_joined").await;

    app.remove_member(&owner, &group, &bob).await.expect(200);
    bobs.next_of("member_removed").await;
    let left = owners.next_of("user_left").await;
    assert_eq!(left["user"]["id"], bob.user_id.as_str());
    let refused = bobs
        .request(json!({ "action": "user_typing", "conversation_id": group }))
        .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
}

#[tokio::test]
async fn test_managers_hear_of_join_requests() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let plain = app.register("plain").await;
    let carol = app.register("carol").await;
    let created = app
        .post(
            "/v1/conversations",
            &owner.access,
            json!({ "type": "room", "title": "vetted", "require_approval": true,
                    "member_ids": [plain.user_id] }),
        )
        .await
        .expect(201);
    let room = created.data()["id"].as_str().unwrap().to_owned();
    let mut owners = app.ws(&owner).await;
    let mut plains = app.ws(&plain).await;
    app.join(&carol, &room).await.expect(202);
    let asked = owners.next_of("join_requested").await;
    assert_eq!(asked["conversation_id"], room.as_str());
    assert_eq!(asked["user"]["id"], carol.user_id.as_str());
    // An ordinary member is not told; the next thing they hear is the approval.
    app.post(
        &format!(
            "/v1/conversations/{room}/join-requests/{}/approve",
            carol.user_id
        ),
        &owner.access,
        json!({}),
    )
    .await
    .expect(201);
    let next = plains
        .next_of_any(&["join_requested", "member_joined"])
        .await;
    assert_eq!(next["type"], "member_joined", "{next}");
}

use crate::support::TestApp;

#[tokio::test]
async fn test_membership_events_reach_every_member_and_the_member_concerned() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let group = app.group(&owner, &[&bob]).await;
    let mut bobs = app.ws(&bob).await;
    let mut carols = app.ws(&carol).await;

    app.add_member(&owner, &group, &carol).await.expect(201);
    for device in [&mut bobs, &mut carols] {
        let joined = device.next_of("member_joined").await;
        assert_eq!(joined["conversation_id"], group.as_str());
        assert_eq!(joined["user_id"], carol.user_id.as_str());
        assert_eq!(joined["actor_id"], owner.user_id.as_str());
        assert_eq!(joined["permissions"]["can_send_messages"], true);
    }

    app.patch(
        &format!("/v1/conversations/{group}"),
        &owner.access,
        json!({ "description": "now with carol" }),
    )
    .await
    .expect(200);
    let updated = carols.next_of("conversation_updated").await;
    assert_eq!(updated["settings"]["description"], "now with carol");

    app.remove_member(&owner, &group, &carol).await.expect(200);
    let removed = carols.next_of("member_removed").await;
    assert_eq!(removed["user_id"], carol.user_id.as_str());
    assert_eq!(bobs.next_of("member_removed").await["seq"], removed["seq"]);

    // Carol hears nothing more of the group; bob does.
    app.send(&owner, &group, "k1", "after carol")
        .await
        .expect(201);
    let next = bobs.next_of("new_message").await;
    assert_eq!(next["message"]["content"], "after carol");
    app.delete(&format!("/v1/conversations/{group}"), &owner.access)
        .await
        .expect(200);
    assert_eq!(
        bobs.next_of("conversation_deleted").await["conversation_id"],
        group.as_str()
    );
    let carol_dm = app.direct(&carol, &bob).await;
    app.send(&bob, &carol_dm, "k2", "still friends")
        .await
        .expect(201);
    let first = carols
        .next_of_any(&["new_message", "conversation_deleted"])
        .await;
    assert_eq!(
        first["message"]["content"], "still friends",
        "carol got an event of a group she had left: {first}"
    );
}
