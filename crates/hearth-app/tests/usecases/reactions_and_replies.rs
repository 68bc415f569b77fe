//! Reactions and replies: one Unicode emoji per reaction, at most 20 different emoji per
//! message, adding one already there or taking back one not there changes nothing; a reply
//! answers a message the sender sees in the same conversation.

use hearth_app::{AppError, SendInput, SendOptions};
use hearth_domain::MessageId;
use hearth_testkit::TestKit;

const TWENTY: [&str; 20] = [
    "😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗",
    "😙", "🥲", "😚", "🙂",
];

#[tokio::test]
async fn a_reaction_counts_once_per_member() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "lunch?").await;

    let first = kit
        .app
        .messages
        .react(bob.caller, dm, sent.id, "👍")
        .await
        .unwrap();
    let again = kit
        .app
        .messages
        .react(bob.caller, dm, sent.id, "👍")
        .await
        .unwrap();

    assert!(first.changed());
    assert!(!again.changed(), "already there changes nothing");
    assert_eq!(again.message.reactions[0].count(), 1);
}

#[tokio::test]
async fn taking_back_a_reaction_that_is_not_there_changes_nothing() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "lunch?").await;

    let change = kit
        .app
        .messages
        .unreact(bob.caller, dm, sent.id, "👍")
        .await
        .unwrap();

    assert!(!change.changed());
}

#[tokio::test]
async fn a_reaction_must_be_one_emoji() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "lunch?").await;

    assert_refused!(
        kit.app.messages.react(bob.caller, dm, sent.id, "yes").await,
        AppError::Validation(_)
    );
}

#[tokio::test]
async fn a_twenty_first_emoji_is_a_conflict() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let sent = kit.post(&alice, dm, "vote").await;
    for emoji in TWENTY {
        kit.app
            .messages
            .react(bob.caller, dm, sent.id, emoji)
            .await
            .unwrap();
    }

    assert_refused!(
        kit.app
            .messages
            .react(alice.caller, dm, sent.id, "🙃")
            .await,
        AppError::Conflict(_)
    );
    kit.app
        .messages
        .react(alice.caller, dm, sent.id, TWENTY[0])
        .await
        .unwrap();
}

async fn reply(
    kit: &TestKit,
    who: &hearth_testkit::TestUser,
    conversation: hearth_domain::ConversationId,
    to: MessageId,
) -> Result<hearth_app::Sent, AppError> {
    kit.app
        .messages
        .send_with(
            who.caller,
            conversation,
            SendInput {
                client_message_id: "reply".to_owned(),
                content: "agreed".to_owned(),
                attachments: Vec::new(),
            },
            SendOptions { reply_to: Some(to) },
        )
        .await
}

#[tokio::test]
async fn a_reply_joins_the_thread_of_the_message_it_answers() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let root = kit.post(&alice, dm, "plan?").await;

    let answer = reply(&kit, &bob, dm, root.id).await.unwrap().message;

    assert_eq!(answer.reply_to, Some(root.id));
    assert_eq!(answer.thread_root(), Some(root.id));
}

#[tokio::test]
async fn a_reply_to_a_message_of_another_conversation_names_the_field() {
    let kit = TestKit::new().await;
    let (alice, bob, dm) = kit.alice_and_bob().await;
    let carol = kit.user("carol").await;
    let elsewhere = kit.direct(&alice, &carol).await;
    let there = kit.post(&alice, elsewhere, "secret").await;

    let refused = reply(&kit, &bob, dm, there.id).await;

    let Err(AppError::Validation(errors)) = refused else {
        panic!("validation failure: {refused:?}");
    };
    assert_eq!(errors.0[0].field, "reply_to");
}
