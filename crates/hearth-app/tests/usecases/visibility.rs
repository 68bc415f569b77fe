//! History visibility: `all` shows a late member everything; `member_join_date` shows what
//! came after their first join; `none` what came after their latest join. Every read path
//! applies it: history, one message, search, sync.

use hearth_app::{AppError, CreateInput, SearchInput};
use hearth_domain::ConversationId;
use hearth_testkit::{TestKit, TestUser};

/// A room with `visibility` where the owner said "early" before `late` joined and "late"
/// after. Returns (owner, late, room).
async fn joined_late(kit: &TestKit, visibility: &str) -> (TestUser, TestUser, ConversationId) {
    let [owner, late] = kit.users(["owner", "late"]).await;
    let room = room(kit, &owner, visibility).await;
    kit.post(&owner, room, "early words").await;
    kit.join(&late, room).await;
    kit.post(&owner, room, "late words").await;
    (owner, late, room)
}

async fn room(kit: &TestKit, owner: &TestUser, visibility: &str) -> ConversationId {
    kit.create_with(
        owner,
        CreateInput {
            kind: "room".to_owned(),
            title: Some("the room".to_owned()),
            history_visibility: Some(visibility.to_owned()),
            ..CreateInput::default()
        },
    )
    .await
}

fn texts(words: &[&str]) -> Vec<Option<String>> {
    words.iter().map(|w| Some((*w).to_owned())).collect()
}

#[tokio::test]
async fn all_shows_a_late_member_everything() {
    let kit = TestKit::new().await;
    let (_, late, room) = joined_late(&kit, "all").await;

    assert_eq!(
        kit.history(&late, room).await.unwrap(),
        texts(&["early words", "late words"])
    );
}

#[tokio::test]
async fn member_join_date_hides_what_came_before_the_join() {
    let kit = TestKit::new().await;
    let (_, late, room) = joined_late(&kit, "member_join_date").await;

    assert_eq!(
        kit.history(&late, room).await.unwrap(),
        texts(&["late words"])
    );
}

#[tokio::test]
async fn a_message_before_the_visible_history_is_not_found() {
    let kit = TestKit::new().await;
    let [owner, late] = kit.users(["owner", "late"]).await;
    let room = room(&kit, &owner, "member_join_date").await;
    let early = kit.post(&owner, room, "early words").await;
    kit.join(&late, room).await;

    assert_refused!(
        kit.app.messages.get(late.caller, room, early.id).await,
        AppError::NotFound(_)
    );
}

#[tokio::test]
async fn search_never_finds_what_came_before_the_visible_history() {
    let kit = TestKit::new().await;
    let (_, late, _) = joined_late(&kit, "member_join_date").await;

    let page = kit
        .app
        .messages
        .search(
            late.caller,
            None,
            SearchInput {
                q: Some("words".to_owned()),
                ..SearchInput::default()
            },
        )
        .await
        .unwrap();

    let found: Vec<_> = page.hits.iter().map(|h| h.message.text()).collect();
    assert_eq!(found, [Some("late words")]);
}

#[tokio::test]
async fn sync_starts_a_late_member_at_their_visible_history() {
    let kit = TestKit::new().await;
    let (_, late, room) = joined_late(&kit, "member_join_date").await;

    let changes = kit
        .app
        .sync
        .changes(late.caller, &Default::default(), None)
        .await
        .unwrap();

    let log = changes
        .conversations
        .iter()
        .find(|c| c.conversation_id == room)
        .unwrap();
    let said = crate::support::said(&log.events);
    assert_eq!(said, [Some("late words")]);
}

/// Carol joins, "first"; she leaves, "second"; she joins again, "third".
async fn rejoined(kit: &TestKit, visibility: &str) -> Vec<Option<String>> {
    let [owner, carol] = kit.users(["owner", "carol"]).await;
    let room = room(kit, &owner, visibility).await;
    kit.join(&carol, room).await;
    kit.post(&owner, room, "first").await;
    kit.app
        .conversations
        .leave(carol.caller, room)
        .await
        .unwrap();
    kit.post(&owner, room, "second").await;
    kit.join(&carol, room).await;
    kit.post(&owner, room, "third").await;
    kit.history(&carol, room).await.unwrap()
}

#[tokio::test]
async fn member_join_date_keeps_the_first_join_after_rejoining() {
    let kit = TestKit::new().await;

    assert_eq!(
        rejoined(&kit, "member_join_date").await,
        texts(&["first", "second", "third"])
    );
}

#[tokio::test]
async fn none_starts_again_at_each_join() {
    let kit = TestKit::new().await;

    assert_eq!(rejoined(&kit, "none").await, texts(&["third"]));
}

#[tokio::test]
async fn an_unknown_visibility_names_the_field() {
    let kit = TestKit::new().await;
    let owner = kit.user("owner").await;

    let created = kit
        .app
        .conversations
        .create(
            owner.caller,
            CreateInput {
                kind: "group".to_owned(),
                title: Some("g".to_owned()),
                history_visibility: Some("sometimes".to_owned()),
                ..CreateInput::default()
            },
        )
        .await;

    let Err(AppError::Validation(errors)) = created else {
        panic!("validation failure: {created:?}");
    };
    assert_eq!(errors.0[0].field, "history_visibility");
}
