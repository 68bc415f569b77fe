//! Conformance of threads, history windows, mention lookups and full-text search.

use hearth_domain::{
    ConversationId, Message, MessageContent, MessageId, SearchCursor, SearchText, SeqWindow, UserId,
};

use super::{alice_and_bob, direct, new_message, now, send, user};
use crate::{
    DynStore, MessageDeletion, MessageEdit, MessageSearch, Missing, NewMessage, StoreError,
};

async fn reply(
    store: &DynStore,
    conversation: ConversationId,
    sender: UserId,
    key: &str,
    to: MessageId,
) -> Message {
    store
        .send_message(NewMessage {
            reply_to: Some(to),
            ..new_message(conversation, sender, key, &format!("reply {key}"))
        })
        .await
        .unwrap()
        .message()
        .clone()
}

fn window(after: i64, before: Option<i64>, newest_first: bool) -> SeqWindow {
    SeqWindow {
        after,
        before,
        newest_first,
    }
}

async fn search(
    store: &DynStore,
    viewer: UserId,
    conversation: Option<ConversationId>,
    text: &str,
    after: Option<SearchCursor>,
    limit: u32,
) -> Vec<hearth_domain::SearchHit> {
    store
        .search_messages(MessageSearch {
            viewer,
            conversation,
            text: SearchText::parse("q", text).unwrap(),
            after,
            limit,
        })
        .await
        .unwrap()
}

async fn texts(
    store: &DynStore,
    viewer: UserId,
    conversation: Option<ConversationId>,
    text: &str,
) -> Vec<String> {
    search(store, viewer, conversation, text, None, 50)
        .await
        .iter()
        .map(|hit| hit.message.text().unwrap().to_owned())
        .collect()
}

pub async fn replies_join_the_root_thread_and_count(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let root = send(&store, dm, alice.id, "root", "question")
        .await
        .message()
        .clone();
    assert_eq!(root.thread, None, "no thread before the first reply");
    let first = reply(&store, dm, bob.id, "r1", root.id).await;
    assert_eq!(first.reply_to, Some(root.id));
    let thread = first.thread.clone().unwrap();
    assert_eq!((thread.root_id, thread.reply_count), (root.id, 1));
    assert_eq!(thread.last_reply_at, Some(first.created_at));

    let nested = reply(&store, dm, alice.id, "r2", first.id).await;
    assert_eq!(nested.reply_to, Some(first.id), "it answers the reply…");
    assert_eq!(
        nested.thread.as_ref().map(|t| (t.root_id, t.reply_count)),
        Some((root.id, 2)),
        "…in the root's thread"
    );
    let root_now = store.message(dm, root.id).await.unwrap().unwrap();
    assert_eq!(root_now.thread.as_ref().map(|t| t.reply_count), Some(2));
    assert_eq!(
        store.message(dm, first.id).await.unwrap().unwrap().thread,
        root_now.thread,
        "every reply carries its thread as it is now"
    );

    let deleted = store
        .delete_message(MessageDeletion {
            conversation_id: dm,
            message_id: nested.id,
            deleter: alice.id,
            at: now(),
        })
        .await
        .unwrap();
    let tombstone = deleted.message().unwrap();
    assert_eq!(
        tombstone.reply_to,
        Some(first.id),
        "a tombstone keeps its place"
    );
    assert_eq!(
        tombstone
            .thread
            .as_ref()
            .map(|t| (t.reply_count, t.last_reply_at)),
        Some((1, Some(first.created_at)))
    );
    let root_now = store.message(dm, root.id).await.unwrap().unwrap();
    assert_eq!(root_now.thread, tombstone.thread);
}

pub async fn a_reply_to_a_message_elsewhere_is_not_found(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let other = direct(&store, &alice, &carol).await;
    let elsewhere = send(&store, other, alice.id, "x", "elsewhere")
        .await
        .message()
        .clone();
    for target in [elsewhere.id, MessageId::new()] {
        let result = store
            .send_message(NewMessage {
                reply_to: Some(target),
                ..new_message(dm, bob.id, "r", "reply")
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound(Missing::ReplyTarget))),
            "{result:?}"
        );
    }
    assert_eq!(
        send(&store, dm, bob.id, "r", "reply").await.message().seq,
        2,
        "the failed replies took no seq"
    );
}

pub async fn history_pages_through_windows_in_both_directions(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    for i in 0..6 {
        send(&store, dm, alice.id, &format!("k{i}"), &format!("m{i}")).await;
    }
    // Seqs 2..=7.
    let seqs = |page: Vec<Message>| page.iter().map(|m| m.seq).collect::<Vec<_>>();
    let page = |after, before, newest, limit| {
        let store = store.clone();
        async move {
            store
                .message_page(dm, None, window(after, before, newest), limit)
                .await
                .unwrap()
        }
    };
    assert_eq!(seqs(page(0, None, false, 2).await), [2, 3]);
    assert_eq!(
        seqs(page(0, None, true, 2).await),
        [6, 7],
        "latest, oldest first"
    );
    assert_eq!(seqs(page(0, Some(6), true, 2).await), [4, 5]);
    assert_eq!(seqs(page(0, Some(3), true, 5).await), [2]);
    assert_eq!(seqs(page(3, Some(7), false, 10).await), [4, 5, 6]);
    assert_eq!(seqs(page(3, Some(7), true, 2).await), [5, 6]);
    assert!(page(7, None, false, 5).await.is_empty());
    assert!(page(0, Some(2), true, 5).await.is_empty());
}

pub async fn thread_pages_hold_only_its_replies(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let root = send(&store, dm, alice.id, "root", "root")
        .await
        .message()
        .clone();
    let other = send(&store, dm, alice.id, "other", "other")
        .await
        .message()
        .clone();
    let r1 = reply(&store, dm, bob.id, "r1", root.id).await;
    reply(&store, dm, bob.id, "x1", other.id).await;
    let r2 = reply(&store, dm, alice.id, "r2", r1.id).await;
    let r3 = reply(&store, dm, bob.id, "r3", root.id).await;
    let ids = |page: Vec<Message>| page.iter().map(|m| m.id).collect::<Vec<_>>();
    let all = store
        .message_page(dm, Some(root.id), window(0, None, false), 10)
        .await
        .unwrap();
    assert_eq!(ids(all), [r1.id, r2.id, r3.id]);
    let latest = store
        .message_page(dm, Some(root.id), window(0, None, true), 2)
        .await
        .unwrap();
    assert_eq!(ids(latest), [r2.id, r3.id]);
    let before = store
        .message_page(dm, Some(root.id), window(0, Some(r2.seq), true), 2)
        .await
        .unwrap();
    assert_eq!(ids(before), [r1.id]);
}

pub async fn members_are_found_by_name_for_mentions(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let _carol = user(&store, "carol").await;
    let mut found = store
        .members_named(
            dm,
            &["bob".to_owned(), "carol".to_owned(), "alice".to_owned()],
        )
        .await
        .unwrap();
    found.sort();
    let mut expected = vec![("alice".to_owned(), alice.id), ("bob".to_owned(), bob.id)];
    expected.sort();
    assert_eq!(found, expected, "carol is not a member");
    assert!(store.members_named(dm, &[]).await.unwrap().is_empty());
}

pub async fn search_matches_stems_phrases_and_prefixes(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    for (i, text) in [
        "We were running late",
        "the quick brown fox",
        "brown quick dog",
        "deployment finished",
        "Café crème",
    ]
    .iter()
    .enumerate()
    {
        send(&store, dm, alice.id, &format!("k{i}"), text).await;
    }
    assert_eq!(
        texts(&store, bob.id, Some(dm), "runs").await,
        ["We were running late"]
    );
    assert_eq!(
        texts(&store, bob.id, Some(dm), "\"quick brown\"").await,
        ["the quick brown fox"]
    );
    assert_eq!(
        texts(&store, bob.id, Some(dm), "quick brown").await,
        ["brown quick dog", "the quick brown fox"],
        "all words, any order, newest first"
    );
    assert_eq!(
        texts(&store, bob.id, None, "deplo*").await,
        ["deployment finished"]
    );
    assert!(texts(&store, bob.id, None, "deplo").await.is_empty());
    assert_eq!(
        texts(&store, bob.id, None, "deploy*").await,
        ["deployment finished"],
        "a prefix is not stemmed"
    );
    assert_eq!(
        texts(&store, bob.id, None, "runn*").await,
        ["We were running late"]
    );
    assert_eq!(
        texts(&store, bob.id, None, "finish deploy*").await,
        ["deployment finished"],
        "stems and prefixes together"
    );
    assert!(texts(&store, bob.id, None, "finish runn*").await.is_empty());
    assert_eq!(texts(&store, bob.id, None, "cafe").await, ["Café crème"]);
    assert!(texts(&store, bob.id, None, "nothing").await.is_empty());

    let hit = &search(&store, bob.id, Some(dm), "running", None, 5).await[0];
    let marked: Vec<(&str, bool)> = hit
        .snippet
        .iter()
        .map(|p| (p.text.as_str(), p.highlight))
        .collect();
    assert!(marked.contains(&("running", true)), "{marked:?}");
    let whole: String = hit.snippet.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(whole, "We were running late");
}

pub async fn search_snippets_keep_the_text_verbatim_markup_included(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    send(
        &store,
        dm,
        alice.id,
        "k",
        "we keep running <b>tests</b> & all night",
    )
    .await;
    let hit = &search(&store, bob.id, Some(dm), "run test", None, 5).await[0];
    let whole: String = hit.snippet.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(whole, "we keep running <b>tests</b> & all night");
    let marked: Vec<&str> = hit
        .snippet
        .iter()
        .filter(|p| p.highlight)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, ["running", "tests"]);
}

pub async fn search_never_finds_deleted_or_foreign_messages(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let theirs = direct(&store, &alice, &carol).await;
    send(&store, theirs, carol.id, "c1", "treasure map").await;
    let gone = send(&store, dm, alice.id, "a1", "treasure hunt")
        .await
        .message()
        .clone();
    assert_eq!(
        texts(&store, bob.id, None, "treasure").await,
        ["treasure hunt"]
    );
    assert!(
        texts(&store, bob.id, Some(theirs), "treasure")
            .await
            .is_empty(),
        "not bob's conversation, even when named"
    );
    assert_eq!(texts(&store, alice.id, None, "treasure").await.len(), 2);
    store
        .delete_message(MessageDeletion {
            conversation_id: dm,
            message_id: gone.id,
            deleter: alice.id,
            at: now(),
        })
        .await
        .unwrap();
    assert!(texts(&store, bob.id, None, "treasure").await.is_empty());
    assert_eq!(
        texts(&store, alice.id, None, "treasure").await,
        ["treasure map"]
    );
}

pub async fn search_follows_edits(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "k", "old words")
        .await
        .message()
        .clone();
    store
        .edit_message(MessageEdit {
            conversation_id: dm,
            message_id: sent.id,
            editor: alice.id,
            content: MessageContent::parse("new phrasing").unwrap(),
            mentions: Vec::new(),
            at: now(),
        })
        .await
        .unwrap();
    assert!(texts(&store, bob.id, None, "old").await.is_empty());
    assert_eq!(
        texts(&store, bob.id, None, "phrasing").await,
        ["new phrasing"]
    );
}

pub async fn search_pages_newest_first_with_a_cursor(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    for i in 0..5 {
        send(
            &store,
            dm,
            alice.id,
            &format!("k{i}"),
            &format!("ping number {i}"),
        )
        .await;
    }
    let first = search(&store, bob.id, Some(dm), "ping", None, 2).await;
    let second = search(
        &store,
        bob.id,
        Some(dm),
        "ping",
        first.last().map(|h| h.cursor),
        2,
    )
    .await;
    let third = search(
        &store,
        bob.id,
        Some(dm),
        "ping",
        second.last().map(|h| h.cursor),
        2,
    )
    .await;
    let all: Vec<String> = [first, second, third]
        .iter()
        .flatten()
        .map(|h| h.message.text().unwrap().to_owned())
        .collect();
    assert_eq!(
        all,
        (0..5)
            .rev()
            .map(|i| format!("ping number {i}"))
            .collect::<Vec<_>>()
    );
}
