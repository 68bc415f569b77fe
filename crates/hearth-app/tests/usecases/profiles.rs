//! Display names can change, and the names that events carry follow: every node forgets the
//! names it cached for a user whose profile changed.

use hearth_app::ProfileInput;
use hearth_app::realtime::{RealtimeEvent, UserRef};
use hearth_realtime::Next;
use hearth_testkit::{TestKit, TestUser};

/// The author named by the next new-message event that reaches `listener`.
async fn author_of_next_message(listener: &hearth_realtime::Registration) -> Option<UserRef> {
    loop {
        match listener.events.recv().await {
            Next::Frame(frame) => {
                if let RealtimeEvent::Log(entry) = &frame.delivery.event
                    && entry.author.is_some()
                {
                    return entry.author.clone();
                }
            }
            Next::Close(reason) => panic!("connection closed: {reason:?}"),
        }
    }
}

async fn rename(kit: &TestKit, who: &TestUser, name: &str) {
    kit.app
        .users
        .update_profile(
            who.caller,
            ProfileInput {
                display_name: Some(name.to_owned()),
                about: None,
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_renamed_users_next_message_carries_the_new_display_name() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let bobs_device = kit.hub.register(bob.id(), hearth_domain::SessionId::new());
    // The first send fills the name cache with the old name.
    rename(&kit, &alice, "Alice Old").await;
    kit.post(&alice, dm, "before").await;
    let before = author_of_next_message(&bobs_device).await.unwrap();

    rename(&kit, &alice, "Alice New").await;
    kit.post(&alice, dm, "after").await;
    let after = author_of_next_message(&bobs_device).await.unwrap();

    assert_eq!(before.display_name, "Alice Old");
    assert_eq!(after.display_name, "Alice New");
    assert_eq!(after.username, alice.user.username.as_str());
}

#[tokio::test]
async fn a_user_without_a_display_name_is_named_by_their_username() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let bobs_device = kit.hub.register(bob.id(), hearth_domain::SessionId::new());

    kit.post(&alice, dm, "hello").await;
    let author = author_of_next_message(&bobs_device).await.unwrap();

    assert_eq!(author.display_name, alice.user.username.as_str());
    assert_eq!(author.id, alice.id());
}
