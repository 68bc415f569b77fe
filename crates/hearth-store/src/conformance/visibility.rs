//! Conformance of history visibility: where a member's history starts, how a change of the
//! setting applies to everyone, and that every read path honours it.

use hearth_domain::{Message, SearchText};

use super::*;
use crate::{Departure, MessageEdit, MessageSearch};

async fn history_from(store: &DynStore, conversation: ConversationId, user: &User) -> i64 {
    store
        .standing(conversation, user.id)
        .await
        .unwrap()
        .unwrap()
        .member
        .unwrap()
        .history_from
}

/// Owner creates (1) and posts (2); `bob` joins (3), leaves (4); owner posts (5); `bob`
/// rejoins (6).
async fn leave_and_rejoin(
    store: &DynStore,
    owner: &User,
    bob: &User,
    visibility: HistoryVisibility,
) -> ConversationId {
    let id = group(store, owner, &[], visibility).await;
    send(store, id, owner.id, &format!("{visibility:?}-1"), "first").await;
    store.add_member(joining(id, bob, bob)).await.unwrap();
    store
        .remove_member(id, bob.id, Departure::Left, now())
        .await
        .unwrap();
    send(store, id, owner.id, &format!("{visibility:?}-2"), "second").await;
    let rejoined = store.add_member(joining(id, bob, bob)).await.unwrap();
    assert_eq!(rejoined.seq, 6);
    id
}

pub async fn none_restarts_at_the_latest_join_and_member_join_date_keeps_the_first(
    store: DynStore,
) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    for (visibility, bobs, owners) in [
        (HistoryVisibility::All, 0, 0),
        (HistoryVisibility::MemberJoinDate, 3, 1),
        (HistoryVisibility::None, 6, 1),
    ] {
        let id = leave_and_rejoin(&store, &owner, &bob, visibility).await;
        assert_eq!(history_from(&store, id, &bob).await, bobs, "{visibility:?}");
        assert_eq!(
            history_from(&store, id, &owner).await,
            owners,
            "{visibility:?}"
        );
    }
}

pub async fn changing_visibility_recomputes_every_member(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let id = leave_and_rejoin(&store, &owner, &bob, HistoryVisibility::All).await;
    for (visibility, bobs, owners) in [
        (HistoryVisibility::MemberJoinDate, 3, 1),
        (HistoryVisibility::None, 6, 1),
        (HistoryVisibility::All, 0, 0),
    ] {
        let settings = Settings {
            history_visibility: visibility,
            ..titled(ConversationKind::Group, "The group")
        };
        store
            .update_settings(id, owner.id, settings, now())
            .await
            .unwrap();
        assert_eq!(history_from(&store, id, &bob).await, bobs, "{visibility:?}");
        assert_eq!(
            history_from(&store, id, &owner).await,
            owners,
            "{visibility:?}"
        );
        let cursors = store.conversation_cursors(bob.id).await.unwrap();
        assert_eq!(cursors[0].history_from, bobs);
        let summary = store
            .conversation_summary(id, bob.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(summary.me.history_from, bobs);
    }
}

pub async fn history_from_applies_to_every_read_path(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let id = group(&store, &owner, &[], HistoryVisibility::None).await;
    let old = send(&store, id, owner.id, "k1", "secret plans")
        .await
        .message()
        .clone();
    let joined = store.add_member(joining(id, &bob, &bob)).await.unwrap();
    assert_eq!(joined.seq, 3);

    // Before anything visible is posted, the list shows no last message.
    let summary = store
        .conversation_summary(id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.last_message, None);
    assert_eq!(summary.me.history_from, 3);
    let owners = store
        .conversation_summary(id, owner.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        owners.last_message.as_ref().and_then(Message::text),
        Some("secret plans")
    );

    send(&store, id, owner.id, "k2", "fresh news").await;
    // An edit of the old message is a later event about a message bob never saw.
    store
        .edit_message(MessageEdit {
            conversation_id: id,
            message_id: old.id,
            editor: owner.id,
            content: MessageContent::parse("secret plans, revised").unwrap(),
            mentions: Vec::new(),
            at: now(),
        })
        .await
        .unwrap();

    let visible = store.events_after(id, 0, 3, 10).await.unwrap();
    assert_eq!(
        visible.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [3, 4],
        "from the join, without the edit of an older message"
    );
    assert_eq!(
        store.events_after(id, 0, 0, 10).await.unwrap().len(),
        5,
        "the owner sees everything"
    );
    let recent = store.recent_messages(id, 3, 10).await.unwrap();
    assert_eq!(
        recent.iter().filter_map(Message::text).collect::<Vec<_>>(),
        ["fresh news"]
    );
    assert_eq!(store.recent_messages(id, 0, 10).await.unwrap().len(), 2);

    let search = |viewer: UserId, scope: Option<ConversationId>, text: &str| {
        let store = store.clone();
        let search = MessageSearch {
            viewer,
            conversation: scope,
            text: SearchText::parse("q", text).unwrap(),
            after: None,
            limit: 10,
        };
        async move { store.search_messages(search).await.unwrap().len() }
    };
    assert_eq!(search(bob.id, None, "secret").await, 0);
    assert_eq!(search(bob.id, Some(id), "secret").await, 0);
    assert_eq!(search(bob.id, None, "fresh").await, 1);
    assert_eq!(search(bob.id, Some(id), "fresh").await, 1);
    assert_eq!(search(owner.id, Some(id), "secret").await, 1);

    let summary = store
        .conversation_summary(id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        summary.last_message.as_ref().and_then(Message::text),
        Some("fresh news")
    );
}
