//! The sync merge: bootstrap, live events, catch-up pages, `history_from` and `gone`.

use hearth_proto::{Changes, ConversationChanges};

use super::{bob, contents, dm, event, me, message, new_message, store_at};
use crate::offline::{Change, LiveOutcome, LocalStatus};

fn page(events: Vec<hearth_proto::ChangeEvent>, history_from: i64) -> Changes {
    Changes {
        changes: vec![ConversationChanges {
            conversation_id: dm(),
            events,
            has_more: false,
            history_from,
        }],
        has_more: false,
        gone: Vec::new(),
    }
}

#[test]
fn bootstrap_stores_the_user_conversations_cursors_and_recent_messages() {
    let store = store_at(
        2,
        vec![
            message(bob(), "b1", 1, "hi"),
            message(me().id, "a1", 2, "hey"),
        ],
    );
    assert_eq!(store.me().unwrap().unwrap().username, "alice");
    assert_eq!(store.cursors().unwrap()[&dm()], 2);
    assert_eq!(contents(&store), ["hi", "hey"]);
}

#[test]
fn the_next_live_event_is_applied_and_moves_the_cursor() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "one")]);
    let outcome = store
        .apply_live(dm(), &new_message(&message(bob(), "b2", 2, "two")))
        .unwrap();
    assert!(matches!(outcome, LiveOutcome::Applied(ref c) if c.contains(&Change::Messages(dm()))));
    assert_eq!(store.cursors().unwrap()[&dm()], 2);
    assert_eq!(contents(&store), ["one", "two"]);
}

#[test]
fn a_live_event_at_or_below_the_cursor_is_a_duplicate_and_changes_nothing() {
    let store = store_at(
        2,
        vec![
            message(bob(), "b1", 1, "one"),
            message(bob(), "b2", 2, "two"),
        ],
    );
    let again = store
        .apply_live(dm(), &new_message(&message(bob(), "b2", 2, "two")))
        .unwrap();
    assert_eq!(again, LiveOutcome::Duplicate);
    assert_eq!(contents(&store), ["one", "two"]);
}

#[test]
fn a_live_event_past_the_next_seq_is_a_gap_and_is_not_applied() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "one")]);
    let outcome = store
        .apply_live(dm(), &new_message(&message(bob(), "b3", 3, "three")))
        .unwrap();
    assert_eq!(outcome, LiveOutcome::Gap);
    assert_eq!(store.cursors().unwrap()[&dm()], 1);
    assert_eq!(contents(&store), ["one"]);
}

#[test]
fn a_live_event_of_an_unknown_conversation_is_a_gap() {
    let store = store_at(0, Vec::new());
    let other = uuid::Uuid::from_u128(999);
    let outcome = store
        .apply_live(other, &new_message(&message(bob(), "x", 1, "x")))
        .unwrap();
    assert_eq!(outcome, LiveOutcome::Gap);
}

#[test]
fn a_catch_up_page_out_of_order_is_applied_in_seq_order() {
    let store = store_at(0, Vec::new());
    let events = vec![
        new_message(&message(bob(), "b3", 3, "three")),
        new_message(&message(bob(), "b1", 1, "one")),
        new_message(&message(bob(), "b2", 2, "two")),
    ];
    store.apply_changes(&page(events, 0)).unwrap();
    assert_eq!(contents(&store), ["one", "two", "three"]);
    assert_eq!(store.cursors().unwrap()[&dm()], 3);
}

#[test]
fn a_catch_up_that_repeats_live_events_makes_no_duplicates() {
    let store = store_at(0, Vec::new());
    store
        .apply_live(dm(), &new_message(&message(bob(), "b1", 1, "one")))
        .unwrap();
    let events = vec![
        new_message(&message(bob(), "b1", 1, "one")),
        new_message(&message(bob(), "b2", 2, "two")),
    ];
    store.apply_changes(&page(events.clone(), 0)).unwrap();
    store.apply_changes(&page(events, 0)).unwrap();
    assert_eq!(contents(&store), ["one", "two"]);
}

#[test]
fn a_later_update_of_a_message_replaces_the_copy() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "tpyo")]);
    let mut edited = message(bob(), "b1", 1, "typo");
    edited.edited_at = Some(time::OffsetDateTime::UNIX_EPOCH);
    store
        .apply_live(dm(), &event(2, "message_updated", Some(edited)))
        .unwrap();
    let messages = store.messages(dm(), None, 10).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content.as_deref(), Some("typo"));
    assert!(messages[0].edited);
}

#[test]
fn history_from_drops_what_the_user_may_no_longer_see_and_moves_the_cursor() {
    let store = store_at(
        2,
        vec![
            message(bob(), "b1", 1, "old"),
            message(bob(), "b2", 2, "older"),
        ],
    );
    let events = vec![new_message(&message(bob(), "b9", 9, "after rejoin"))];
    store.apply_changes(&page(events, 9)).unwrap();
    assert_eq!(contents(&store), ["after rejoin"]);
    assert_eq!(store.cursors().unwrap()[&dm()], 9);
}

#[test]
fn history_from_past_the_cursor_without_events_moves_the_cursor_to_just_before_it() {
    let store = store_at(2, vec![message(bob(), "b1", 1, "old")]);
    store.apply_changes(&page(Vec::new(), 7)).unwrap();
    assert_eq!(store.cursors().unwrap()[&dm()], 6);
    assert!(contents(&store).is_empty());
}

#[test]
fn a_gone_conversation_is_dropped_with_its_messages() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "one")]);
    let changes = store
        .apply_changes(&Changes {
            changes: Vec::new(),
            has_more: false,
            gone: vec![dm()],
        })
        .unwrap();
    assert!(changes.contains(&Change::Gone(dm())));
    assert!(store.conversations().unwrap().is_empty());
    assert!(store.cursors().unwrap().is_empty());
}

#[test]
fn being_removed_from_a_conversation_drops_it() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "one")]);
    let mut removed = event(2, "member_removed", None);
    removed.user_id = Some(me().id);
    let outcome = store.apply_live(dm(), &removed).unwrap();
    assert!(matches!(outcome, LiveOutcome::Applied(ref c) if c.contains(&Change::Gone(dm()))));
    assert!(store.conversations().unwrap().is_empty());
}

#[test]
fn changes_naming_an_unknown_conversation_ask_for_a_bootstrap() {
    let store = store_at(0, Vec::new());
    let other = uuid::Uuid::from_u128(999);
    let changes = store
        .apply_changes(&Changes {
            changes: vec![ConversationChanges {
                conversation_id: other,
                events: vec![event(1, "conversation_created", None)],
                has_more: false,
                history_from: 0,
            }],
            has_more: false,
            gone: Vec::new(),
        })
        .unwrap();
    assert!(changes.contains(&Change::Unknown(other)));
}

#[test]
fn unread_counts_the_messages_of_others_after_the_read_marker() {
    let store = store_at(0, Vec::new());
    store
        .apply_live(dm(), &new_message(&message(bob(), "b1", 1, "one")))
        .unwrap();
    store
        .apply_live(dm(), &new_message(&message(bob(), "b2", 2, "two")))
        .unwrap();
    assert_eq!(store.conversations().unwrap()[0].unread, 2);
    store.mark_read(dm(), 1).unwrap();
    assert_eq!(store.conversations().unwrap()[0].unread, 1);
}

#[test]
fn own_messages_are_never_unread() {
    let store = store_at(0, Vec::new());
    store
        .apply_live(dm(), &new_message(&message(me().id, "a1", 1, "mine")))
        .unwrap();
    assert_eq!(store.conversations().unwrap()[0].unread, 0);
}

#[test]
fn a_synced_copy_of_a_pending_send_reconciles_it_instead_of_adding_one() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "mine", None).unwrap();
    let server = message(me().id, &pending.client_message_id, 1, "mine");
    store.apply_live(dm(), &new_message(&server)).unwrap();
    let messages = store.messages(dm(), None, 10).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].local_id, pending.local_id);
    assert_eq!(messages[0].status, LocalStatus::Sent);
    assert_eq!(messages[0].server_id, Some(server.id));
    assert_eq!(messages[0].server_seq, Some(1));
    assert_eq!(store.outbox_len().unwrap(), 0);
}

#[test]
fn local_search_finds_stored_messages_by_word_and_prefix() {
    let store = store_at(
        2,
        vec![
            message(bob(), "b1", 1, "lunch at noon?"),
            message(bob(), "b2", 2, "dinner later"),
        ],
    );
    let hits: Vec<_> = store
        .search("lunch", 10)
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(hits, [Some("lunch at noon?".to_owned())]);
    assert_eq!(store.search("din*", 10).unwrap().len(), 1);
    assert!(store.search("\"unbalanced", 10).unwrap().is_empty());
}

#[test]
fn local_search_follows_edits_and_deletes() {
    let store = store_at(1, vec![message(bob(), "b1", 1, "lunch")]);
    let mut deleted = message(bob(), "b1", 1, "");
    deleted.content = None;
    deleted.deleted = true;
    store
        .apply_live(dm(), &event(2, "message_deleted", Some(deleted)))
        .unwrap();
    assert!(store.search("lunch", 10).unwrap().is_empty());
}

#[test]
fn messages_page_back_from_a_local_id() {
    let store = store_at(
        3,
        vec![
            message(bob(), "b1", 1, "one"),
            message(bob(), "b2", 2, "two"),
            message(bob(), "b3", 3, "three"),
        ],
    );
    let newest = store.messages(dm(), None, 2).unwrap();
    assert_eq!(
        newest
            .iter()
            .map(|m| m.content.clone().unwrap())
            .collect::<Vec<_>>(),
        ["two", "three"]
    );
    let older = store.messages(dm(), Some(newest[0].local_id), 2).unwrap();
    assert_eq!(
        older
            .iter()
            .map(|m| m.content.clone().unwrap())
            .collect::<Vec<_>>(),
        ["one"]
    );
}
