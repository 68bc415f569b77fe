//! Groups, public rooms and channels through the real server: creation, discovery, joining,
//! join requests, settings, deletion, and the events every change logs.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn test_a_group_is_created_with_its_owner_and_members() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let created = app
        .post(
            "/v1/conversations",
            &owner.access,
            json!({ "type": "group", "title": "  Team  ", "description": "Work",
                    "member_ids": [bob.user_id, bob.user_id, owner.user_id] }),
        )
        .await
        .expect(201);
    let data = created.data();
    assert_eq!(data["type"], "group");
    assert_eq!(data["title"], "Team");
    assert_eq!(data["description"], "Work");
    assert_eq!(
        data["member_count"], 2,
        "duplicates and the owner count once"
    );
    assert_eq!(data["my_role"], "owner");
    assert_eq!(data["my_permissions"]["is_admin"], true);
    assert_eq!(data["history_visibility"], "all");
    let id = data["id"].as_str().unwrap();
    let seen_by_bob = app.conversation(&bob, id).await;
    assert_eq!(seen_by_bob["my_role"], "member");
    assert_eq!(seen_by_bob["my_permissions"]["can_send_messages"], true);
    assert_eq!(
        seen_by_bob["my_permissions"]["can_manage_participants"],
        false
    );
}

#[tokio::test]
async fn test_creation_input_is_validated() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    for (body, field) in [
        (json!({ "type": "club", "title": "x" }), "type"),
        (json!({ "type": "direct", "title": "x" }), "type"),
        (json!({ "type": "group" }), "title"),
        (json!({ "type": "room", "title": "ab" }), "title"),
        (
            json!({ "type": "group", "title": "x", "member_ids": ["nope"] }),
            "member_ids",
        ),
        (
            json!({ "type": "group", "title": "x", "history_visibility": "some" }),
            "history_visibility",
        ),
        (
            json!({ "type": "group", "title": "x", "description": "d".repeat(501) }),
            "description",
        ),
    ] {
        let answer = app
            .post("/v1/conversations", &owner.access, body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert!(
            answer.body["error"]["details"][field].is_string(),
            "{body}: {}",
            answer.body
        );
    }
    app.post(
        "/v1/conversations",
        &owner.access,
        json!({ "type": "group", "title": "x", "member_ids": [uuid::Uuid::now_v7()] }),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_public_names_are_unique_case_insensitively_and_freed_by_deletion() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let room = app
        .create_conversation(&owner, "room", "Rust Lovers", &[])
        .await;
    app.post(
        "/v1/conversations",
        &owner.access,
        json!({ "type": "channel", "title": "rust lovers" }),
    )
    .await
    .expect_error(409, "conflict");
    app.delete(&format!("/v1/conversations/{room}"), &owner.access)
        .await
        .expect(200);
    app.get(&format!("/v1/conversations/{room}"), &owner.access)
        .await
        .expect_error(404, "not_found");
    app.create_conversation(&owner, "room", "RUST LOVERS", &[])
        .await;
}

#[tokio::test]
async fn test_rooms_are_discovered_by_name_with_member_counts_and_paged() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    for name in ["alpha rust", "beta rust", "gamma go", "delta rust"] {
        app.create_conversation(&owner, "room", name, &[]).await;
    }
    app.group(&owner, &[]).await; // private: never discovered
    let first = app
        .get("/v1/conversations/discover?q=RUST&limit=2", &carol.access)
        .await
        .expect(200);
    let titles: Vec<&str> = first.data()["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["alpha rust", "beta rust"]);
    assert_eq!(first.data()["conversations"][0]["member_count"], 1);
    assert_eq!(first.data()["conversations"][0]["joined"], false);
    let cursor = first.data()["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/v1/conversations/discover?q=rust&limit=2&cursor={cursor}"),
            &carol.access,
        )
        .await
        .expect(200);
    assert_eq!(second.data()["conversations"][0]["title"], "delta rust");
    assert!(second.data()["next_cursor"].is_null());
    app.get("/v1/conversations/discover?cursor=%%%", &carol.access)
        .await
        .expect_error(400, "bad_request");
    let all = app
        .get("/v1/conversations/discover", &carol.access)
        .await
        .expect(200);
    assert_eq!(all.data()["conversations"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn test_anyone_joins_and_leaves_a_room_but_the_creator_cannot_leave() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let room = app.create_conversation(&owner, "room", "lobby", &[]).await;
    let joined = app.join(&carol, &room).await.expect(200);
    assert_eq!(joined.data()["member_count"], 2);
    assert_eq!(joined.data()["my_role"], "member");
    app.join(&carol, &room).await.expect_error(409, "conflict");
    app.send(&carol, &room, "k1", "hi all").await.expect(201);
    app.leave(&carol, &room).await.expect(200);
    app.get(&format!("/v1/conversations/{room}/messages"), &carol.access)
        .await
        .expect_error(403, "forbidden");
    app.leave(&owner, &room)
        .await
        .expect_error(403, "forbidden");
    app.delete(&format!("/v1/conversations/{room}"), &carol.access)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn test_in_a_channel_everyone_reads_and_only_admins_post() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let reader = app.register("reader").await;
    let channel = app
        .create_conversation(&owner, "channel", "announcements", &[])
        .await;
    let joined = app.join(&reader, &channel).await.expect(200);
    assert_eq!(joined.data()["my_permissions"]["can_send_messages"], false);
    app.send(&owner, &channel, "k1", "release 1.0")
        .await
        .expect(201);
    app.send(&reader, &channel, "k2", "me too")
        .await
        .expect_error(403, "forbidden");
    let read = app.all_messages(&reader, &channel).await;
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["content"], "release 1.0");
}

#[tokio::test]
async fn test_join_requests_wait_for_approval() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let created = app
        .post(
            "/v1/conversations",
            &owner.access,
            json!({ "type": "group", "title": "club", "require_approval": true }),
        )
        .await
        .expect(201);
    let group = created.data()["id"].as_str().unwrap().to_owned();
    let asked = app.join(&carol, &group).await.expect(202);
    assert_eq!(asked.data()["user"]["id"], carol.user_id.as_str());
    app.join(&carol, &group).await.expect_error(409, "conflict");
    app.join(&dave, &group).await.expect(202);
    let pending = app
        .get(
            &format!("/v1/conversations/{group}/join-requests"),
            &owner.access,
        )
        .await
        .expect(200);
    assert_eq!(pending.data()["join_requests"].as_array().unwrap().len(), 2);
    app.get(
        &format!("/v1/conversations/{group}/messages"),
        &carol.access,
    )
    .await
    .expect_error(403, "forbidden");
    let member = app
        .post(
            &format!(
                "/v1/conversations/{group}/join-requests/{}/approve",
                carol.user_id
            ),
            &owner.access,
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(member.data()["role"], "member");
    app.post(
        &format!(
            "/v1/conversations/{group}/join-requests/{}/deny",
            dave.user_id
        ),
        &owner.access,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!(
            "/v1/conversations/{group}/join-requests/{}/deny",
            dave.user_id
        ),
        &owner.access,
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
    app.get(
        &format!("/v1/conversations/{group}/messages"),
        &carol.access,
    )
    .await
    .expect(200);
    app.get(&format!("/v1/conversations/{group}/messages"), &dave.access)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn test_a_private_group_without_approval_cannot_be_joined() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let carol = app.register("carol").await;
    let group = app.group(&owner, &[]).await;
    app.join(&carol, &group)
        .await
        .expect_error(403, "forbidden");
    app.post(
        &format!("/v1/conversations/{}/join", uuid::Uuid::now_v7()),
        &carol.access,
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn test_settings_change_and_are_logged() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let group = app.group(&owner, &[&bob]).await;
    let changed = app
        .patch(
            &format!("/v1/conversations/{group}"),
            &owner.access,
            json!({ "title": "New name", "require_approval": true,
                    "history_visibility": "member_join_date" }),
        )
        .await
        .expect(200);
    assert_eq!(changed.data()["title"], "New name");
    assert_eq!(changed.data()["require_approval"], true);
    assert_eq!(
        changed.data()["description"],
        "",
        "absent fields keep their value"
    );
    app.patch(
        &format!("/v1/conversations/{group}"),
        &owner.access,
        json!({ "title": "" }),
    )
    .await
    .expect_error(422, "validation_failed");
    let carol = app.register("carol").await;
    let dm = app.direct(&owner, &carol).await;
    app.patch(
        &format!("/v1/conversations/{dm}"),
        &owner.access,
        json!({ "title": "ours" }),
    )
    .await
    .expect_error(403, "forbidden");

    let changes = app.get("/v1/sync/changes", &bob.access).await.expect(200);
    let events = changes.data()["changes"][0]["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["conversation_created", "conversation_updated"]);
    assert_eq!(events[1]["settings"]["title"], "New name");
    assert_eq!(
        events[1]["settings"]["history_visibility"],
        "member_join_date"
    );
    assert_eq!(events[1]["seq"], 2);
}

#[tokio::test]
async fn test_membership_changes_are_events_with_their_own_seq() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let group = app.group(&owner, &[&bob]).await;
    app.add_member(&owner, &group, &carol).await.expect(201);
    app.update_member(&owner, &group, &bob, json!({ "role": "admin" }))
        .await
        .expect(200);
    app.remove_member(&bob, &group, &carol).await.expect(200);
    app.leave(&bob, &group).await.expect(200);
    let changes = app.get("/v1/sync/changes", &owner.access).await.expect(200);
    let events = changes.data()["changes"][0]["events"].as_array().unwrap();
    let summary: Vec<(i64, &str)> = events
        .iter()
        .map(|e| (e["seq"].as_i64().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "conversation_created"),
            (2, "member_joined"),
            (3, "member_updated"),
            (4, "member_removed"),
            (5, "member_left"),
        ]
    );
    assert_eq!(events[1]["user_id"], carol.user_id.as_str());
    assert_eq!(events[1]["actor_id"], owner.user_id.as_str());
    assert_eq!(events[2]["role"], "admin");
    assert_eq!(events[3]["actor_id"], bob.user_id.as_str());

    // A removed member's client learns that the conversation is gone for them.
    let cursor = format!(r#"{{"{group}":1}}"#);
    let gone = app
        .get(
            &format!(
                "/v1/sync/changes?after_seq_by_conversation={}",
                urlencode(&cursor)
            ),
            &carol.access,
        )
        .await
        .expect(200);
    assert_eq!(gone.data()["gone"], json!([group]));
}

#[tokio::test]
async fn test_adding_an_existing_member_or_to_a_direct_conversation_is_refused() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    app.add_member(&alice, &dm, &carol)
        .await
        .expect_error(403, "forbidden");
    let group = app.group(&alice, &[&bob]).await;
    app.add_member(&alice, &group, &bob)
        .await
        .expect_error(409, "conflict");
    let by_name = app
        .post(
            &format!("/v1/conversations/{group}/members"),
            &alice.access,
            json!({ "username": "carol" }),
        )
        .await
        .expect(201);
    assert_eq!(by_name.data()["user"]["id"], carol.user_id.as_str());
    app.post(
        &format!("/v1/conversations/{group}/members"),
        &alice.access,
        json!({ "username": "carol", "user_id": carol.user_id }),
    )
    .await
    .expect_error(422, "validation_failed");
    let members = app
        .get(
            &format!("/v1/conversations/{group}/members?limit=2"),
            &bob.access,
        )
        .await
        .expect(200);
    assert_eq!(members.data()["members"].as_array().unwrap().len(), 2);
    assert_eq!(members.data()["has_more"], true);
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn test_openapi_documents_the_conversation_endpoints() {
    let app = TestApp::spawn().await;
    let spec = app
        .request(reqwest::Method::GET, "/v1/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    for (path, method) in [
        ("/v1/conversations", "post"),
        ("/v1/conversations/discover", "get"),
        ("/v1/conversations/{id}", "patch"),
        ("/v1/conversations/{id}", "delete"),
        ("/v1/conversations/{id}/members", "get"),
        ("/v1/conversations/{id}/members", "post"),
        ("/v1/conversations/{id}/members/{user_id}", "patch"),
        ("/v1/conversations/{id}/members/{user_id}", "delete"),
        ("/v1/conversations/{id}/join", "post"),
        ("/v1/conversations/{id}/leave", "post"),
        ("/v1/conversations/{id}/transfer", "post"),
        ("/v1/conversations/{id}/join-requests", "get"),
        (
            "/v1/conversations/{id}/join-requests/{user_id}/approve",
            "post",
        ),
        (
            "/v1/conversations/{id}/join-requests/{user_id}/deny",
            "post",
        ),
        ("/v1/users/me/privacy", "get"),
        ("/v1/users/me/privacy", "put"),
        ("/v1/users/me/blocks", "get"),
        ("/v1/users/me/blocks", "post"),
        ("/v1/users/me/blocks/{user_id}", "delete"),
    ] {
        assert!(
            spec["paths"][path][method].is_object(),
            "missing {method} {path}"
        );
    }
    for schema in [
        "ConversationDto",
        "PermissionsDto",
        "DiscoverList",
        "PrivacyDto",
    ] {
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "missing {schema}"
        );
    }
}
