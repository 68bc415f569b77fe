//! Mentions: `@username` of a member lands in the message's `mentions`, resolved again by an
//! edit; a non-member, or a member who blocked the author, is not mentioned.

use hearth_testkit::TestKit;

#[tokio::test]
async fn mentioning_a_member_lists_them() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;

    let sent = kit.post(&owner, group, "@bob and @carol: lunch?").await;

    assert_eq!(sent.mentions.len(), 2);
    assert!(sent.mentions.contains(&bob.id()) && sent.mentions.contains(&carol.id()));
}

#[tokio::test]
async fn mentioning_a_non_member_lists_nobody() {
    let kit = TestKit::new().await;
    let [owner, bob, _outsider] = kit.users(["owner", "bob", "outsider"]).await;
    let group = kit.group(&owner, &[&bob]).await;

    let sent = kit.post(&owner, group, "ask @outsider").await;

    assert!(sent.mentions.is_empty(), "{:?}", sent.mentions);
}

#[tokio::test]
async fn an_edit_resolves_mentions_again() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    let sent = kit.post(&owner, group, "@bob lunch?").await;

    let change = kit
        .edit(&owner, group, sent.id, "@carol lunch?")
        .await
        .unwrap();

    assert_eq!(change.message.mentions, [carol.id()]);
}

#[tokio::test]
async fn a_member_who_blocked_the_author_is_not_mentioned() {
    let kit = TestKit::new().await;
    let [owner, bob, carol] = kit.users(["owner", "bob", "carol"]).await;
    let group = kit.group(&owner, &[&bob, &carol]).await;
    kit.block(&bob, &owner).await;

    let sent = kit.post(&owner, group, "@bob and @carol").await;

    assert_eq!(sent.mentions, [carol.id()]);
}
