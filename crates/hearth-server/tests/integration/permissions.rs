//! The permission matrix: every action × every role, each cell asserted through the real
//! server. One test per action; each stages a fresh group per role so no cell depends on
//! another.
//!
//! The cast: the owner, an admin, the target member (whom actions are about), the actor in
//! the role under test, and a fresh user to add. `BlockedManager` is a member holding
//! `can_manage_participants` whom the fresh user blocked.

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

/// The role the actor holds in the staged group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Owner,
    Admin,
    Member,
    Manager,
    SettingsChanger,
    Deleter,
    Moderator,
    Muted,
    NonMember,
    Removed,
    BlockedManager,
}

/// The columns of the matrix, in this order.
const ROLES: [Role; 11] = [
    Role::Owner,
    Role::Admin,
    Role::Member,
    Role::Manager,
    Role::SettingsChanger,
    Role::Deleter,
    Role::Moderator,
    Role::Muted,
    Role::NonMember,
    Role::Removed,
    Role::BlockedManager,
];

/// The rows of the matrix.
#[derive(Clone, Copy, Debug)]
enum Action {
    ReadHistory,
    Send,
    AddMember,
    RemoveMember,
    ChangeSettings,
    GrantPermission,
    Mute,
    Promote,
    DeleteOthersMessage,
    TransferOwnership,
    DeleteConversation,
    Leave,
    ReviewJoinRequests,
}

struct Cast {
    owner: Session,
    admin: Session,
    target: Session,
    actor: Session,
    blocked_manager: Session,
    fresh: Session,
}

impl Cast {
    async fn register(app: &TestApp) -> Self {
        let cast = Self {
            owner: app.register("owner").await,
            admin: app.register("admin").await,
            target: app.register("target").await,
            actor: app.register("actor").await,
            blocked_manager: app.register("blocked").await,
            fresh: app.register("fresh").await,
        };
        app.post(
            "/v1/users/me/blocks",
            &cast.fresh.access,
            json!({ "user_id": cast.blocked_manager.user_id }),
        )
        .await
        .expect(201);
        cast
    }
}

/// A group staged for one cell.
struct Scene<'c> {
    conversation: String,
    actor: &'c Session,
    target_message: String,
}

async fn stage<'c>(app: &TestApp, cast: &'c Cast, role: Role) -> Scene<'c> {
    let actor = match role {
        Role::Owner => &cast.owner,
        Role::Admin => &cast.admin,
        Role::BlockedManager => &cast.blocked_manager,
        _ => &cast.actor,
    };
    let mut members = vec![&cast.admin, &cast.target];
    if !matches!(role, Role::Owner | Role::Admin | Role::NonMember) {
        members.push(actor);
    }
    let conversation = app.group(&cast.owner, &members).await;
    app.update_member(
        &cast.owner,
        &conversation,
        &cast.admin,
        json!({ "role": "admin" }),
    )
    .await
    .expect(200);
    let grant = |permission: &str| json!({ "permissions": { permission: true } });
    let adjustment = match role {
        Role::Manager | Role::BlockedManager => Some(grant("can_manage_participants")),
        Role::SettingsChanger => Some(grant("can_change_settings")),
        Role::Deleter => Some(grant("can_delete_messages")),
        Role::Moderator => Some(grant("can_moderate_content")),
        Role::Muted => Some(json!({ "permissions": { "can_send_messages": false } })),
        _ => None,
    };
    if let Some(change) = adjustment {
        app.update_member(&cast.owner, &conversation, actor, change)
            .await
            .expect(200);
    }
    if role == Role::Removed {
        app.remove_member(&cast.owner, &conversation, actor)
            .await
            .expect(200);
    }
    let sent = app
        .send(
            &cast.target,
            &conversation,
            &format!("target-{conversation}"),
            "a message of the target",
        )
        .await
        .expect(201);
    let target_message = sent.data()["id"].as_str().expect("id").to_owned();
    Scene {
        conversation,
        actor,
        target_message,
    }
}

/// Performs `action` as the scene's actor; returns the status.
async fn act(app: &TestApp, cast: &Cast, scene: &Scene<'_>, action: Action) -> u16 {
    let id = &scene.conversation;
    let actor = scene.actor;
    let path = |rest: &str| format!("/v1/conversations/{id}{rest}");
    let change_target = |change: Value| app.update_member(actor, id, &cast.target, change);
    let response = match action {
        Action::ReadHistory => app.get(&path("/messages"), &actor.access).await,
        Action::Send => app.send(actor, id, &format!("actor-{id}"), "hello").await,
        Action::AddMember => app.add_member(actor, id, &cast.fresh).await,
        Action::RemoveMember => app.remove_member(actor, id, &cast.target).await,
        Action::ChangeSettings => {
            app.patch(&path(""), &actor.access, json!({ "title": "Renamed" }))
                .await
        }
        Action::GrantPermission => {
            change_target(json!({ "permissions": { "can_manage_participants": true } })).await
        }
        Action::Mute => {
            change_target(json!({ "permissions": { "can_send_messages": false } })).await
        }
        Action::Promote => change_target(json!({ "role": "admin" })).await,
        Action::DeleteOthersMessage => {
            app.delete(
                &path(&format!("/messages/{}", scene.target_message)),
                &actor.access,
            )
            .await
        }
        Action::TransferOwnership => {
            app.post(
                &path("/transfer"),
                &actor.access,
                json!({ "user_id": cast.target.user_id }),
            )
            .await
        }
        Action::DeleteConversation => app.delete(&path(""), &actor.access).await,
        Action::Leave => app.leave(actor, id).await,
        Action::ReviewJoinRequests => app.get(&path("/join-requests"), &actor.access).await,
    };
    if response.status == 403 {
        assert_eq!(
            response.code(),
            "forbidden",
            "{action:?}: {}",
            response.body
        );
    }
    response.status
}

/// Runs one row of the matrix: `expected` holds one status per role of [`ROLES`].
async fn row(action: Action, expected: [u16; 11]) {
    let app = TestApp::spawn().await;
    let cast = Cast::register(&app).await;
    let mut mismatches = Vec::new();
    for (role, want) in ROLES.into_iter().zip(expected) {
        let scene = stage(&app, &cast, role).await;
        let got = act(&app, &cast, &scene, action).await;
        if got != want {
            mismatches.push(format!("{role:?}: expected {want}, got {got}"));
        }
    }
    assert!(mismatches.is_empty(), "{action:?}: {mismatches:#?}");
}

// Columns: Owner, Admin, Member, Manager, SettingsChanger, Deleter, Moderator, Muted,
// NonMember, Removed, BlockedManager.

#[tokio::test]
async fn test_matrix_read_history() {
    row(
        Action::ReadHistory,
        [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_send_message() {
    row(
        Action::Send,
        [201, 201, 201, 201, 201, 201, 201, 403, 403, 403, 201],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_add_member() {
    row(
        Action::AddMember,
        [201, 201, 403, 201, 403, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_remove_member() {
    row(
        Action::RemoveMember,
        [200, 200, 403, 200, 403, 403, 403, 403, 403, 403, 200],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_change_settings() {
    row(
        Action::ChangeSettings,
        [200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_grant_a_permission() {
    row(
        Action::GrantPermission,
        [200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_mute_a_member() {
    row(
        Action::Mute,
        [200, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_promote_to_admin() {
    row(
        Action::Promote,
        [200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_delete_someone_elses_message() {
    row(
        Action::DeleteOthersMessage,
        [200, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_transfer_ownership() {
    row(
        Action::TransferOwnership,
        [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_delete_the_conversation() {
    row(
        Action::DeleteConversation,
        [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_leave() {
    row(
        Action::Leave,
        [403, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200],
    )
    .await;
}

#[tokio::test]
async fn test_matrix_review_join_requests() {
    row(
        Action::ReviewJoinRequests,
        [200, 200, 403, 200, 403, 403, 403, 403, 403, 403, 200],
    )
    .await;
}

#[tokio::test]
async fn test_admins_cannot_touch_other_admins_or_the_owner() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let first = app.register("first").await;
    let second = app.register("second").await;
    let group = app.group(&owner, &[&first, &second]).await;
    for admin in [&first, &second] {
        app.update_member(&owner, &group, admin, json!({ "role": "admin" }))
            .await
            .expect(200);
    }
    app.remove_member(&first, &group, &second)
        .await
        .expect_error(403, "forbidden");
    app.update_member(&first, &group, &second, json!({ "role": "member" }))
        .await
        .expect_error(403, "forbidden");
    app.remove_member(&first, &group, &owner)
        .await
        .expect_error(403, "forbidden");
    // The owner may.
    let demoted = app
        .update_member(&owner, &group, &second, json!({ "role": "member" }))
        .await
        .expect(200);
    assert_eq!(demoted.data()["role"], "member");
    assert_eq!(demoted.data()["permissions"]["is_admin"], false);
    assert_eq!(demoted.data()["permissions"]["can_send_messages"], true);
}

#[tokio::test]
async fn test_ownership_moves_only_by_transfer() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner").await;
    let heir = app.register("heir").await;
    let group = app.group(&owner, &[&heir]).await;
    app.update_member(&owner, &group, &heir, json!({ "role": "owner" }))
        .await
        .expect_error(422, "validation_failed");
    app.update_member(
        &owner,
        &group,
        &heir,
        json!({ "permissions": { "is_admin": true } }),
    )
    .await
    .expect_error(422, "validation_failed");
    let after = app
        .post(
            &format!("/v1/conversations/{group}/transfer"),
            &owner.access,
            json!({ "user_id": heir.user_id }),
        )
        .await
        .expect(200);
    assert_eq!(
        after.data()["my_role"],
        "admin",
        "the former owner is an admin"
    );
    assert_eq!(app.conversation(&heir, &group).await["my_role"], "owner");
    // The former owner may leave now; the new one may not.
    app.leave(&heir, &group)
        .await
        .expect_error(403, "forbidden");
    app.leave(&owner, &group).await.expect(200);
}
