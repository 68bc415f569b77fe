//! Roles (seed 001): the owner holds every permission and alone transfers ownership or
//! deletes; an admin manages members but not another admin or the owner; a member may post
//! (in a channel, nothing); a non-member is refused, an unknown conversation not found.

use hearth_app::{AppError, MemberUpdate, PermissionsPatch, SettingsInput};
use hearth_domain::ConversationId;
use hearth_testkit::TestKit;

fn rename(title: &str) -> SettingsInput {
    SettingsInput {
        title: Some(title.to_owned()),
        ..SettingsInput::default()
    }
}

#[tokio::test]
async fn a_member_may_not_change_settings() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;

    let renamed = kit
        .app
        .conversations
        .update_settings(bob.caller, group, rename("mine now"))
        .await;

    assert_refused!(renamed, AppError::Forbidden(_));
}

#[tokio::test]
async fn an_admin_may_change_settings() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;
    kit.promote(&owner, group, &bob).await;

    let renamed = kit
        .app
        .conversations
        .update_settings(bob.caller, group, rename("renamed"))
        .await
        .unwrap();

    assert_eq!(
        renamed.conversation.settings.title.unwrap().as_str(),
        "renamed"
    );
}

#[tokio::test]
async fn an_admin_may_not_remove_another_admin() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    kit.promote(&owner, group, &bob).await;
    kit.promote(&owner, group, &carol).await;

    let removed = kit
        .app
        .conversations
        .remove_member(bob.caller, group, &carol.id_string())
        .await;

    assert_refused!(removed, AppError::Forbidden(_));
}

#[tokio::test]
async fn the_owner_may_remove_an_admin() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;
    kit.promote(&owner, group, &bob).await;

    kit.app
        .conversations
        .remove_member(owner.caller, group, &bob.id_string())
        .await
        .unwrap();

    assert_refused!(
        kit.app.conversations.get(bob.caller, group).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn an_admin_may_remove_a_member() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    kit.promote(&owner, group, &bob).await;

    kit.app
        .conversations
        .remove_member(bob.caller, group, &carol.id_string())
        .await
        .unwrap();

    assert_refused!(
        kit.app.conversations.get(carol.caller, group).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn a_member_may_not_add_members() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob]).await;

    let added = kit
        .app
        .conversations
        .add_member(
            bob.caller,
            group,
            hearth_app::UserLookup::by_id("user_id", carol.id_string()),
        )
        .await;

    assert_refused!(added, AppError::Forbidden(_));
}

#[tokio::test]
async fn only_the_owner_deletes_the_conversation() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;
    kit.promote(&owner, group, &bob).await;

    assert_refused!(
        kit.app.conversations.delete(bob.caller, group).await,
        AppError::Forbidden(_)
    );
    kit.app
        .conversations
        .delete(owner.caller, group)
        .await
        .unwrap();
    assert_refused!(
        kit.app.conversations.get(owner.caller, group).await,
        AppError::NotFound(_)
    );
}

#[tokio::test]
async fn the_owner_may_not_leave() {
    let kit = TestKit::new().await;
    let owner = kit.user("owner").await;
    let group = kit.group(&owner, &[]).await;

    assert_refused!(
        kit.app.conversations.leave(owner.caller, group).await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn a_transfer_makes_the_former_owner_an_admin() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;

    kit.app
        .conversations
        .transfer_ownership(owner.caller, group, &bob.id_string())
        .await
        .unwrap();

    let roles = |who| {
        let kit = &kit;
        async move { kit.app.conversations.get(who, group).await.unwrap().me.role }
    };
    assert_eq!(roles(bob.caller).await.as_str(), "owner");
    assert_eq!(roles(owner.caller).await.as_str(), "admin");
}

#[tokio::test]
async fn only_the_owner_transfers_ownership() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    kit.promote(&owner, group, &bob).await;

    let transferred = kit
        .app
        .conversations
        .transfer_ownership(bob.caller, group, &carol.id_string())
        .await;

    assert_refused!(transferred, AppError::Forbidden(_));
}

#[tokio::test]
async fn a_channel_member_may_not_post() {
    let kit = TestKit::new().await;
    let [owner, reader] = kit.users(["owner", "reader"]).await;
    let channel = kit.create(&owner, "channel", "announcements", &[]).await;
    kit.join(&reader, channel).await;

    assert_refused!(
        kit.send(&reader, channel, "k1", "hello?").await,
        AppError::Forbidden(_)
    );
    kit.post(&owner, channel, "news").await;
}

#[tokio::test]
async fn a_muted_member_may_not_post() {
    let kit = TestKit::new().await;
    let [owner, bob] = kit.users(["owner", "bob"]).await;
    let group = kit.group(&owner, &[&bob]).await;
    let mute = MemberUpdate {
        role: None,
        permissions: Some(PermissionsPatch {
            can_send_messages: Some(false),
            ..PermissionsPatch::default()
        }),
    };
    kit.app
        .conversations
        .update_member(owner.caller, group, &bob.id_string(), mute)
        .await
        .unwrap();

    assert_refused!(
        kit.send(&bob, group, "k1", "hello?").await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn a_non_member_is_forbidden() {
    let kit = TestKit::new().await;
    let [owner, stranger] = kit.users(["owner", "stranger"]).await;
    let group = kit.group(&owner, &[]).await;

    assert_refused!(
        kit.app
            .messages
            .list(stranger.caller, group, None, None)
            .await,
        AppError::Forbidden(_)
    );
}

#[tokio::test]
async fn an_unknown_conversation_is_not_found() {
    let kit = TestKit::new().await;
    let alice = kit.user("alice").await;

    assert_refused!(
        kit.app
            .messages
            .list(alice.caller, ConversationId::new(), None, None)
            .await,
        AppError::NotFound(_)
    );
}

#[tokio::test]
async fn a_private_group_cannot_be_joined() {
    let kit = TestKit::new().await;
    let [owner, stranger] = kit.users(["owner", "stranger"]).await;
    let group = kit.group(&owner, &[]).await;

    assert_refused!(
        kit.app.conversations.join(stranger.caller, group).await,
        AppError::Forbidden(_)
    );
}
