//! Conformance of edits, deletions and reactions: each is logged with the next seq, each
//! no-op logs nothing, and a tombstone has no content on any read path.

use hearth_domain::{
    ConversationId, Emoji, EventKind, Message, MessageContent, MessageId, SearchText, UserId,
};

use super::{alice_and_bob, new_message, now, send};
use crate::{
    ChangeOutcome, ConflictKind, DynStore, MessageDeletion, MessageEdit, MessageSearch, Missing,
    ReactionChange, StoreError,
};

fn edit_of(message: &Message, editor: UserId, text: &str) -> MessageEdit {
    MessageEdit {
        conversation_id: message.conversation_id,
        message_id: message.id,
        editor,
        content: MessageContent::parse(text).unwrap(),
        mentions: Vec::new(),
        at: now(),
    }
}

fn deletion_of(message: &Message, deleter: UserId) -> MessageDeletion {
    MessageDeletion {
        conversation_id: message.conversation_id,
        message_id: message.id,
        deleter,
        at: now(),
    }
}

fn reaction(message: &Message, user: UserId, emoji: &str) -> ReactionChange {
    ReactionChange {
        conversation_id: message.conversation_id,
        message_id: message.id,
        user_id: user,
        emoji: Emoji::parse(emoji).unwrap(),
        at: now(),
    }
}

fn changed(outcome: ChangeOutcome) -> hearth_domain::ConversationEvent {
    match outcome {
        ChangeOutcome::Changed(event) => event,
        ChangeOutcome::Unchanged(m) => panic!("expected a change, got unchanged {m:?}"),
    }
}

async fn search_count(store: &DynStore, viewer: UserId, text: &str) -> usize {
    store
        .search_messages(MessageSearch {
            viewer,
            conversation: None,
            text: SearchText::parse("q", text).unwrap(),
            after: None,
            limit: 50,
        })
        .await
        .unwrap()
        .len()
}

pub async fn edit_replaces_the_text_and_logs_message_updated(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "helo")
        .await
        .message()
        .clone();
    let event = changed(
        store
            .edit_message(MessageEdit {
                mentions: vec![bob.id],
                ..edit_of(&sent, alice.id, "hello @bob")
            })
            .await
            .unwrap(),
    );
    assert_eq!(event.seq, sent.seq + 1, "an edit takes the next seq");
    assert_eq!(event.actor_id, alice.id);
    let EventKind::MessageEdited(edited) = &event.kind else {
        panic!("expected message_updated, got {:?}", event.kind);
    };
    assert_eq!(edited.text(), Some("hello @bob"));
    assert_eq!(edited.edit_count, 1);
    assert_eq!(edited.edited_at, Some(event.created_at));
    assert_eq!(edited.mentions, [bob.id]);
    assert_eq!(edited.seq, sent.seq, "a message keeps its seq");
    assert_eq!(
        store.message(dm, sent.id).await.unwrap().as_ref(),
        Some(edited)
    );
    let log = store.events_after(dm, 0, 0, 10).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.kind.type_name()).collect::<Vec<_>>(),
        ["conversation_created", "new_message", "message_updated"]
    );
    assert_eq!(
        log[1].kind.message().and_then(Message::text),
        Some("hello @bob"),
        "every event carries the message as it is now"
    );
    let again = store
        .edit_message(edit_of(&sent, alice.id, "hello again"))
        .await
        .unwrap();
    assert_eq!(again.message().map(|m| m.edit_count), Some(2));
}

pub async fn editing_to_the_same_text_changes_nothing(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "same")
        .await
        .message()
        .clone();
    let outcome = store
        .edit_message(edit_of(&sent, alice.id, "same"))
        .await
        .unwrap();
    assert_eq!(outcome, ChangeOutcome::Unchanged(sent));
    assert_eq!(
        store.conversation_cursors(alice.id).await.unwrap()[0].last_seq,
        2
    );
}

pub async fn editing_a_tombstone_conflicts_and_a_stranger_is_not_found(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "bye")
        .await
        .message()
        .clone();
    changed(
        store
            .delete_message(deletion_of(&sent, alice.id))
            .await
            .unwrap(),
    );
    let edit = store.edit_message(edit_of(&sent, alice.id, "hi")).await;
    assert!(
        matches!(
            edit,
            Err(StoreError::Conflict(ConflictKind::MessageDeleted))
        ),
        "{edit:?}"
    );
    let elsewhere = Message {
        conversation_id: ConversationId::new(),
        ..sent.clone()
    };
    let edit = store
        .edit_message(edit_of(&elsewhere, alice.id, "hi"))
        .await;
    assert!(
        matches!(edit, Err(StoreError::NotFound(Missing::Message))),
        "{edit:?}"
    );
    let unknown = Message {
        id: MessageId::new(),
        ..sent
    };
    let deletion = store.delete_message(deletion_of(&unknown, alice.id)).await;
    assert!(
        matches!(deletion, Err(StoreError::NotFound(Missing::Message))),
        "{deletion:?}"
    );
}

pub async fn delete_leaves_a_tombstone_on_every_read_path(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = store
        .send_message(crate::NewMessage {
            mentions: vec![bob.id],
            ..new_message(dm, alice.id, "k1", "secret plans for @bob")
        })
        .await
        .unwrap()
        .message()
        .clone();
    store
        .add_reaction(reaction(&sent, bob.id, "👍"), Emoji::MAX_PER_MESSAGE)
        .await
        .unwrap();
    changed(
        store
            .edit_message(edit_of(&sent, alice.id, "secret plans, edited"))
            .await
            .unwrap(),
    );
    let event = changed(
        store
            .delete_message(deletion_of(&sent, alice.id))
            .await
            .unwrap(),
    );
    let EventKind::MessageDeleted(tombstone) = &event.kind else {
        panic!("expected message_deleted, got {:?}", event.kind);
    };
    assert!(tombstone.is_deleted());
    assert_eq!(tombstone.deleted_at, Some(event.created_at));
    assert_eq!(tombstone.content, None);
    assert!(tombstone.mentions.is_empty());
    assert!(tombstone.reactions.is_empty());
    assert_eq!((tombstone.id, tombstone.seq), (sent.id, sent.seq));

    let mut reads: Vec<Message> = Vec::new();
    reads.extend(store.message(dm, sent.id).await.unwrap());
    reads.extend(store.messages_after(dm, 0, 10).await.unwrap());
    reads.extend(store.recent_messages(dm, 0, 10).await.unwrap());
    reads.extend(
        store
            .message_by_client_id(
                alice.id,
                &hearth_domain::ClientMessageId::parse("k1").unwrap(),
            )
            .await
            .unwrap(),
    );
    for event in store.events_after(dm, 0, 0, 100).await.unwrap() {
        reads.extend(event.kind.message().cloned());
    }
    assert_eq!(reads.len(), 8, "every read path and every event: {reads:?}");
    for read in &reads {
        assert_eq!(read, tombstone, "no read path keeps content");
    }
    let summary = store
        .conversation_summary(dm, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.last_message.as_ref().and_then(Message::text), None);
    assert_eq!(summary.unread_count, 0, "a tombstone is not unread");
    assert_eq!(search_count(&store, alice.id, "secret").await, 0);
    assert_eq!(search_count(&store, alice.id, "plans").await, 0);
}

pub async fn deleting_a_tombstone_changes_nothing(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "bye")
        .await
        .message()
        .clone();
    let first = changed(
        store
            .delete_message(deletion_of(&sent, alice.id))
            .await
            .unwrap(),
    );
    let again = store
        .delete_message(deletion_of(&sent, alice.id))
        .await
        .unwrap();
    assert_eq!(again.message(), first.kind.message());
    assert_eq!(again.event(), None);
    assert_eq!(
        store.conversation_cursors(alice.id).await.unwrap()[0].last_seq,
        first.seq
    );
}

pub async fn retrying_an_edited_or_deleted_send_replays_it(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let first = send(&store, dm, alice.id, "k1", "original")
        .await
        .message()
        .clone();
    store
        .edit_message(edit_of(&first, alice.id, "edited"))
        .await
        .unwrap();
    let replay = send(&store, dm, alice.id, "k1", "original").await;
    assert!(
        matches!(replay, crate::SendOutcome::Replayed(_)),
        "{replay:?}"
    );
    assert_eq!(replay.message().text(), Some("edited"), "as it is now");
    let clash = store
        .send_message(new_message(dm, alice.id, "k1", "edited"))
        .await;
    assert!(
        matches!(
            clash,
            Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused))
        ),
        "the key's first text decides: {clash:?}"
    );

    let second = send(&store, dm, alice.id, "k2", "to delete")
        .await
        .message()
        .clone();
    store
        .delete_message(deletion_of(&second, alice.id))
        .await
        .unwrap();
    let replay = send(&store, dm, alice.id, "k2", "to delete").await;
    assert!(replay.message().is_deleted());
    let clash = store
        .send_message(new_message(dm, alice.id, "k2", "other"))
        .await;
    assert!(
        matches!(
            clash,
            Err(StoreError::Conflict(ConflictKind::IdempotencyKeyReused))
        ),
        "{clash:?}"
    );
}

pub async fn reactions_are_one_per_member_and_emoji_and_logged(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "news")
        .await
        .message()
        .clone();
    let max = Emoji::MAX_PER_MESSAGE;
    let added = changed(
        store
            .add_reaction(reaction(&sent, bob.id, "👍"), max)
            .await
            .unwrap(),
    );
    assert_eq!(added.kind.type_name(), "reaction_added");
    assert_eq!(added.actor_id, bob.id);
    assert!(
        matches!(&added.kind, EventKind::ReactionAdded { emoji, .. } if emoji.as_str() == "👍")
    );
    let again = store
        .add_reaction(reaction(&sent, bob.id, "👍"), max)
        .await
        .unwrap();
    assert_eq!(again.event(), None, "one per member and emoji");
    changed(
        store
            .add_reaction(reaction(&sent, alice.id, "👍"), max)
            .await
            .unwrap(),
    );
    let heart = changed(
        store
            .add_reaction(reaction(&sent, alice.id, "❤"), max)
            .await
            .unwrap(),
    );
    let now = heart.kind.message().unwrap();
    assert_eq!(now.reactions.len(), 2);
    assert_eq!(now.reactions[0].emoji.as_str(), "👍", "first used first");
    assert_eq!(now.reactions[0].user_ids, [bob.id, alice.id]);
    assert_eq!(now.reactions[1].emoji, Emoji::parse("❤️").unwrap());
    assert_eq!(now.reactions[1].count(), 1);

    let removed = changed(
        store
            .remove_reaction(reaction(&sent, bob.id, "👍"))
            .await
            .unwrap(),
    );
    assert_eq!(removed.kind.type_name(), "reaction_removed");
    assert_eq!(
        removed.kind.message().unwrap().reactions[0].user_ids,
        [alice.id]
    );
    let missing = store
        .remove_reaction(reaction(&sent, bob.id, "👍"))
        .await
        .unwrap();
    assert_eq!(missing.event(), None);
    let log = store.events_after(dm, sent.seq, 0, 10).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.kind.type_name()).collect::<Vec<_>>(),
        [
            "reaction_added",
            "reaction_added",
            "reaction_added",
            "reaction_removed"
        ]
    );
    assert!(
        matches!(&log[3].kind, EventKind::ReactionRemoved { emoji, .. } if emoji.as_str() == "👍")
    );
    assert_eq!(
        store.message(dm, sent.id).await.unwrap().as_ref(),
        removed.kind.message()
    );
}

pub async fn reactions_are_bounded_and_tombstones_take_none(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k1", "news")
        .await
        .message()
        .clone();
    changed(
        store
            .add_reaction(reaction(&sent, bob.id, "👍"), 2)
            .await
            .unwrap(),
    );
    changed(
        store
            .add_reaction(reaction(&sent, bob.id, "🎉"), 2)
            .await
            .unwrap(),
    );
    let third = store.add_reaction(reaction(&sent, bob.id, "😀"), 2).await;
    assert!(
        matches!(
            third,
            Err(StoreError::Conflict(ConflictKind::TooManyReactions))
        ),
        "{third:?}"
    );
    changed(
        store
            .add_reaction(reaction(&sent, alice.id, "🎉"), 2)
            .await
            .unwrap(),
    );
    store
        .delete_message(deletion_of(&sent, alice.id))
        .await
        .unwrap();
    let late = store.add_reaction(reaction(&sent, bob.id, "👍"), 2).await;
    assert!(
        matches!(
            late,
            Err(StoreError::Conflict(ConflictKind::MessageDeleted))
        ),
        "{late:?}"
    );
    let unknown = store
        .add_reaction(
            ReactionChange {
                message_id: MessageId::new(),
                ..reaction(&sent, bob.id, "👍")
            },
            2,
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(Missing::Message))),
        "{unknown:?}"
    );
}

pub async fn a_message_id_names_its_conversation(store: DynStore) {
    let (alice, _bob, conversation) = alice_and_bob(&store).await;
    let message = send(&store, conversation, alice.id, "k1", "hello").await;
    assert_eq!(
        store
            .message_conversation(message.message().id)
            .await
            .unwrap(),
        Some(conversation)
    );
    assert_eq!(
        store.message_conversation(MessageId::new()).await.unwrap(),
        None
    );
}
