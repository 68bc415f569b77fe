//! The conformance suite every store adapter runs: one function per behaviour of the ports.
//!
//! An adapter invokes [`store_conformance_tests!`](crate::store_conformance_tests) with an async
//! function that returns a fresh, empty [`Fixture`]; the macro generates one `#[tokio::test]`
//! per behaviour. A behaviour that differs between backends is a bug in an adapter, found here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code: a failed expectation should panic with its message"
)]

use std::any::Any;
use std::collections::BTreeSet;

use hearth_domain::{
    ClientMessageId, ConversationId, DisplayName, EventKind, Limit, MessageContent, MessageId,
    SearchQuery, SessionId, Timestamp, User, UserId, Username,
};
use time::Duration;
use uuid::Uuid;

use crate::{
    DynStore, Membership, NewMessage, NewRefreshToken, NewUser, SendOutcome, StoreError, TokenHash,
};

mod message_changes;
mod message_reads;

pub use message_changes::*;
pub use message_reads::*;

/// A fresh store and whatever keeps it alive (a temporary directory, a database to drop).
pub struct Fixture {
    /// The store under test.
    pub store: DynStore,
    _guard: Box<dyn Any + Send>,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Fixture {
    /// Wraps a store and its keep-alive guard.
    pub fn new(store: DynStore, guard: impl Any + Send) -> Self {
        Self {
            store,
            _guard: Box::new(guard),
        }
    }
}

/// Generates one `#[tokio::test]` per behaviour of the suite, each on a fresh fixture from
/// `$make` (an async fn returning [`Fixture`]).
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:path) => {
        $crate::store_conformance_tests!(@cases $make;
            user_round_trips,
            username_is_unique_case_insensitively,
            email_is_unique,
            search_matches_prefixes_and_excludes_the_searcher,
            search_treats_wildcards_literally,
            refresh_token_rotates_once,
            revoking_a_session_revokes_its_tokens,
            direct_conversation_is_created_once_with_event_at_seq_1,
            direct_conversation_is_unique_under_concurrency,
            direct_conversation_with_unknown_user_is_not_found,
            membership_distinguishes_member_outsider_and_unknown,
            send_assigns_the_next_seq,
            send_replays_the_same_key_and_content,
            send_with_reused_key_and_other_content_conflicts,
            send_to_unknown_conversation_is_not_found,
            concurrent_sends_get_gap_free_seqs,
            concurrent_retries_of_one_key_store_one_message,
            message_by_client_id_finds_the_senders_key,
            messages_page_after_a_seq,
            recent_messages_are_the_latest_oldest_first,
            summaries_carry_last_message_members_and_unread,
            mark_read_clamps_and_never_moves_back,
            mark_delivered_moves_only_the_delivered_marker,
            member_markers_list_every_member,
            contacts_are_the_people_sharing_a_conversation,
            last_seen_is_recorded,
            events_after_return_the_log_in_order,
            conversation_cursors_list_members_conversations,
            ping_answers,
        );
        // Message features: edits, deletions, reactions, threads, paging, mentions, search.
        $crate::store_conformance_tests!(@cases $make;
            edit_replaces_the_text_and_logs_message_updated,
            editing_to_the_same_text_changes_nothing,
            editing_a_tombstone_conflicts_and_a_stranger_is_not_found,
            delete_leaves_a_tombstone_on_every_read_path,
            deleting_a_tombstone_changes_nothing,
            retrying_an_edited_or_deleted_send_replays_it,
            reactions_are_one_per_member_and_emoji_and_logged,
            reactions_are_bounded_and_tombstones_take_none,
            replies_join_the_root_thread_and_count,
            a_reply_to_a_message_elsewhere_is_not_found,
            history_pages_through_windows_in_both_directions,
            thread_pages_hold_only_its_replies,
            members_are_found_by_name_for_mentions,
            search_matches_stems_phrases_and_prefixes,
            search_never_finds_deleted_or_foreign_messages,
            search_follows_edits,
            search_pages_newest_first_with_a_cursor,
        );
    };
    (@cases $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $make().await;
                $crate::conformance::$name(fixture.store.clone()).await;
            }
        )*
    };
}

fn now() -> Timestamp {
    let now = time::OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap()
}

async fn user(store: &DynStore, name: &str) -> User {
    store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(&format!("{name} Display")).unwrap(),
            password_hash: format!("hash-of-{name}"),
            email: None,
            created_at: now(),
        })
        .await
        .unwrap()
}

async fn direct(store: &DynStore, a: &User, b: &User) -> ConversationId {
    store
        .get_or_create_direct(a.id, b.id, now())
        .await
        .unwrap()
        .id
}

/// Alice, Bob and their direct conversation.
async fn alice_and_bob(store: &DynStore) -> (User, User, ConversationId) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let dm = direct(store, &alice, &bob).await;
    (alice, bob, dm)
}

fn new_message(conversation: ConversationId, sender: UserId, key: &str, text: &str) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        conversation_id: conversation,
        sender_id: sender,
        client_message_id: ClientMessageId::parse(key).unwrap(),
        content: MessageContent::parse(text).unwrap(),
        created_at: now(),
        reply_to: None,
        mentions: Vec::new(),
    }
}

async fn send(
    store: &DynStore,
    conversation: ConversationId,
    sender: UserId,
    key: &str,
    text: &str,
) -> SendOutcome {
    store
        .send_message(new_message(conversation, sender, key, text))
        .await
        .unwrap()
}

fn token(session: SessionId, user: UserId, hash: &str) -> NewRefreshToken {
    let issued_at = now();
    NewRefreshToken {
        id: Uuid::now_v7(),
        session_id: session,
        user_id: user,
        token_hash: TokenHash(hash.to_owned()),
        issued_at,
        expires_at: issued_at + Duration::days(1),
    }
}

pub async fn user_round_trips(store: DynStore) {
    let alice = user(&store, "alice").await;
    assert_eq!(store.user(alice.id).await.unwrap(), Some(alice.clone()));
    let credentials = store
        .credentials(&Username::parse("ALICE").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.user, alice);
    assert_eq!(credentials.password_hash, "hash-of-alice");
    assert_eq!(store.user(UserId::new()).await.unwrap(), None);
}

pub async fn username_is_unique_case_insensitively(store: DynStore) {
    user(&store, "alice").await;
    let again = store
        .create_user(NewUser {
            id: UserId::new(),
            username: Username::parse("Alice").unwrap(),
            display_name: DisplayName::parse("Other").unwrap(),
            password_hash: "x".to_owned(),
            email: None,
            created_at: now(),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("username"))),
        "{again:?}"
    );
}

pub async fn email_is_unique(store: DynStore) {
    let make = |name: &str| NewUser {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        password_hash: "x".to_owned(),
        email: Some("same@example.org".to_owned()),
        created_at: now(),
    };
    store.create_user(make("first")).await.unwrap();
    let second = store.create_user(make("second")).await;
    assert!(
        matches!(second, Err(StoreError::Conflict("email"))),
        "{second:?}"
    );
}

pub async fn search_matches_prefixes_and_excludes_the_searcher(store: DynStore) {
    let alice = user(&store, "alice").await;
    let _alfred = user(&store, "alfred").await;
    let _bob = user(&store, "bob").await;
    let found = store
        .search_users(
            &SearchQuery::parse("q", "AL").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    assert_eq!(names, ["alfred"]);
    let by_display = store
        .search_users(
            &SearchQuery::parse("q", "bob disp").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert_eq!(by_display.len(), 1);
    let limited = store
        .search_users(
            &SearchQuery::parse("q", "b").unwrap(),
            alice.id,
            Limit::of(1),
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
}

pub async fn search_treats_wildcards_literally(store: DynStore) {
    let alice = user(&store, "alice").await;
    user(&store, "a_b").await;
    user(&store, "axb").await;
    let found = store
        .search_users(
            &SearchQuery::parse("q", "a_").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    assert_eq!(names, ["a_b"]);
    let none = store
        .search_users(
            &SearchQuery::parse("q", "%").unwrap(),
            alice.id,
            Limit::DEFAULT,
        )
        .await
        .unwrap();
    assert!(none.is_empty());
}

pub async fn refresh_token_rotates_once(store: DynStore) {
    let alice = user(&store, "alice").await;
    let session = SessionId::new();
    let first = token(session, alice.id, "h1");
    store.create_session(first.clone()).await.unwrap();
    let record = store
        .refresh_token(&TokenHash("h1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.id, first.id);
    assert_eq!(record.session_id, session);
    assert_eq!(record.revoked_at, None);

    let second = token(session, alice.id, "h2");
    assert!(
        store
            .rotate_refresh_token(first.id, second.clone())
            .await
            .unwrap()
    );
    let third = token(session, alice.id, "h3");
    assert!(
        !store.rotate_refresh_token(first.id, third).await.unwrap(),
        "a rotated token rotates only once"
    );
    assert!(
        store
            .refresh_token(&TokenHash("h3".to_owned()))
            .await
            .unwrap()
            .is_none()
    );

    let old = store
        .refresh_token(&TokenHash("h1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.replaced_by_token_id, Some(second.id));
    assert_eq!(old.revoked_at, Some(second.issued_at));
    let new = store
        .refresh_token(&TokenHash("h2".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.revoked_at, None);

    store
        .add_refresh_token(token(session, alice.id, "h4"))
        .await
        .unwrap();
    assert!(
        store
            .refresh_token(&TokenHash("h4".to_owned()))
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn revoking_a_session_revokes_its_tokens(store: DynStore) {
    let alice = user(&store, "alice").await;
    let session = SessionId::new();
    let first = token(session, alice.id, "s1");
    store.create_session(first.clone()).await.unwrap();
    let other = SessionId::new();
    store
        .create_session(token(other, alice.id, "o1"))
        .await
        .unwrap();

    store.revoke_session(session, now()).await.unwrap();
    let record = store
        .refresh_token(&TokenHash("s1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert!(record.session_revoked_at.is_some());
    assert!(record.revoked_at.is_some());
    assert!(
        !store
            .rotate_refresh_token(first.id, token(session, alice.id, "s2"))
            .await
            .unwrap()
    );
    let untouched = store
        .refresh_token(&TokenHash("o1".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.session_revoked_at, None);
}

pub async fn direct_conversation_is_created_once_with_event_at_seq_1(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let first = store
        .get_or_create_direct(alice.id, bob.id, now())
        .await
        .unwrap();
    assert!(first.created);
    let again = store
        .get_or_create_direct(bob.id, alice.id, now())
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert!(!again.created);

    let events = store.events_after(first.id, 0, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq, 1);
    assert_eq!(events[0].actor_id, alice.id);
    match &events[0].kind {
        EventKind::ConversationCreated { member_ids } => {
            assert_eq!(
                member_ids.iter().collect::<BTreeSet<_>>(),
                [alice.id, bob.id].iter().collect()
            );
        }
        other => panic!("expected conversation_created, got {other:?}"),
    }
}

pub async fn direct_conversation_is_unique_under_concurrency(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let attempts = (0..16).map(|i| {
        let store = store.clone();
        let (a, b) = if i % 2 == 0 {
            (alice.id, bob.id)
        } else {
            (bob.id, alice.id)
        };
        tokio::spawn(async move { store.get_or_create_direct(a, b, now()).await.unwrap() })
    });
    let results: Vec<_> = futures_join(attempts).await;
    let ids: BTreeSet<_> = results.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
}

pub async fn direct_conversation_with_unknown_user_is_not_found(store: DynStore) {
    let alice = user(&store, "alice").await;
    let result = store
        .get_or_create_direct(alice.id, UserId::new(), now())
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
}

pub async fn membership_distinguishes_member_outsider_and_unknown(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    assert!(matches!(
        store.membership(dm, bob.id).await.unwrap(),
        Membership::Member(_)
    ));
    assert_eq!(
        store.membership(dm, carol.id).await.unwrap(),
        Membership::NotMember
    );
    assert_eq!(
        store
            .membership(ConversationId::new(), alice.id)
            .await
            .unwrap(),
        Membership::NoSuchConversation
    );
}

pub async fn send_assigns_the_next_seq(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let first = send(&store, dm, alice.id, "k1", "hello").await;
    let second = send(&store, dm, bob.id, "k2", "hi").await;
    assert!(matches!(first, SendOutcome::Created(_)));
    assert_eq!(
        first.message().seq,
        2,
        "seq 1 is the conversation's creation"
    );
    assert_eq!(second.message().seq, 3);
    assert_eq!(first.message().text().unwrap(), "hello");
}

pub async fn send_replays_the_same_key_and_content(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let SendOutcome::Created(original) = send(&store, dm, alice.id, "same", "hello").await else {
        panic!("first send must create");
    };
    let replay = send(&store, dm, alice.id, "same", "hello").await;
    assert_eq!(replay, SendOutcome::Replayed(original));
    // Another sender may use the same key: keys are per sender.
    assert!(matches!(
        send(&store, dm, bob.id, "same", "hello").await,
        SendOutcome::Created(_)
    ));
    assert_eq!(store.messages_after(dm, 0, 10).await.unwrap().len(), 2);
}

pub async fn send_with_reused_key_and_other_content_conflicts(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k", "hello").await;
    let other = store
        .send_message(new_message(dm, alice.id, "k", "different"))
        .await;
    assert!(
        matches!(other, Err(StoreError::Conflict("client_message_id"))),
        "{other:?}"
    );
    // The failed send took no seq.
    assert_eq!(
        send(&store, dm, alice.id, "k2", "next").await.message().seq,
        3
    );
}

pub async fn send_to_unknown_conversation_is_not_found(store: DynStore) {
    let alice = user(&store, "alice").await;
    let result = store
        .send_message(new_message(ConversationId::new(), alice.id, "k", "hello"))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
}

pub async fn concurrent_sends_get_gap_free_seqs(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sends = (0..200).map(|i| {
        let store = store.clone();
        let sender = if i % 2 == 0 { alice.id } else { bob.id };
        tokio::spawn(
            async move { send(&store, dm, sender, &format!("k{i}"), &format!("m{i}")).await },
        )
    });
    let outcomes = futures_join(sends).await;
    let seqs: BTreeSet<i64> = outcomes.iter().map(|o| o.message().seq).collect();
    assert_eq!(seqs, (2..=201).collect::<BTreeSet<_>>());
}

pub async fn concurrent_retries_of_one_key_store_one_message(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    let retries = (0..20).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { send(&store, dm, alice.id, "retry", "hello").await })
    });
    let outcomes = futures_join(retries).await;
    let ids: BTreeSet<MessageId> = outcomes.iter().map(|o| o.message().id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, SendOutcome::Created(_)))
            .count(),
        1
    );
    assert_eq!(store.messages_after(dm, 0, 100).await.unwrap().len(), 1);
}

pub async fn message_by_client_id_finds_the_senders_key(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    let sent = send(&store, dm, alice.id, "key", "hello").await;
    let key = ClientMessageId::parse("key").unwrap();
    assert_eq!(
        store
            .message_by_client_id(alice.id, &key)
            .await
            .unwrap()
            .as_ref(),
        Some(sent.message())
    );
    assert_eq!(
        store.message_by_client_id(bob.id, &key).await.unwrap(),
        None
    );
}

pub async fn messages_page_after_a_seq(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    for i in 0..5 {
        send(&store, dm, alice.id, &format!("k{i}"), &format!("m{i}")).await;
    }
    let page = store.messages_after(dm, 3, 2).await.unwrap();
    assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
    let rest = store.messages_after(dm, 5, 10).await.unwrap();
    assert_eq!(rest.iter().map(|m| m.seq).collect::<Vec<_>>(), [6]);
    assert!(
        store
            .messages_after(ConversationId::new(), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn recent_messages_are_the_latest_oldest_first(store: DynStore) {
    let (alice, _bob, dm) = alice_and_bob(&store).await;
    for i in 0..5 {
        send(&store, dm, alice.id, &format!("k{i}"), &format!("m{i}")).await;
    }
    let recent = store.recent_messages(dm, 3).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.text().unwrap()).collect::<Vec<_>>(),
        ["m2", "m3", "m4"]
    );
}

pub async fn summaries_carry_last_message_members_and_unread(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let with_bob = direct(&store, &alice, &bob).await;
    let with_carol = direct(&store, &alice, &carol).await;
    send(&store, with_bob, bob.id, "b1", "one").await;
    send(&store, with_bob, bob.id, "b2", "two").await;
    send(&store, with_bob, alice.id, "a1", "mine").await;
    send(&store, with_carol, carol.id, "c1", "latest").await;

    let list = store.conversation_summaries(alice.id).await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.conversation.id).collect::<Vec<_>>(),
        [with_carol, with_bob],
        "most recent first"
    );
    let bob_dm = &list[1];
    assert_eq!(bob_dm.unread_count, 2, "own messages are never unread");
    assert_eq!(bob_dm.last_seq, 4);
    assert_eq!(
        bob_dm.last_message.as_ref().map(|m| m.text().unwrap()),
        Some("mine")
    );
    assert_eq!(bob_dm.members.len(), 2);
    assert!(bob_dm.has_member(bob.id));

    let for_bob = store
        .conversation_summary(with_bob, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(for_bob.unread_count, 1);
    assert!(
        store
            .conversation_summary(with_bob, carol.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .conversation_summaries(UserId::new())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn mark_read_clamps_and_never_moves_back(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    for i in 0..3 {
        send(&store, dm, bob.id, &format!("k{i}"), "hi").await;
    }
    assert_eq!(store.mark_read(dm, alice.id, 3).await.unwrap(), (3, 1));
    assert_eq!(
        store.mark_read(dm, alice.id, 2).await.unwrap(),
        (3, 1),
        "markers never move back"
    );
    assert_eq!(
        store.mark_read(dm, alice.id, 1_000).await.unwrap(),
        (4, 0),
        "clamped to the last seq"
    );
    let outsider = store.mark_read(dm, carol.id, 1).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(_))),
        "{outsider:?}"
    );
}

pub async fn mark_delivered_moves_only_the_delivered_marker(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    for i in 0..3 {
        send(&store, dm, bob.id, &format!("k{i}"), "hi").await;
    }
    assert_eq!(store.mark_delivered(dm, alice.id, 3).await.unwrap(), 3);
    assert_eq!(
        store.mark_delivered(dm, alice.id, 2).await.unwrap(),
        3,
        "never back"
    );
    assert_eq!(
        store.mark_delivered(dm, alice.id, 99).await.unwrap(),
        4,
        "clamped"
    );
    let markers = store.member_markers(dm).await.unwrap();
    let mine = markers.iter().find(|m| m.user_id == alice.id).unwrap();
    assert_eq!((mine.last_delivered_seq, mine.last_read_seq), (4, 0));
    let outsider = store.mark_delivered(dm, UserId::new(), 1).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(_))),
        "{outsider:?}"
    );
}

pub async fn member_markers_list_every_member(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k", "hi").await;
    store.mark_read(dm, bob.id, 2).await.unwrap();
    let markers = store.member_markers(dm).await.unwrap();
    assert_eq!(markers.len(), 2);
    let bobs = markers.iter().find(|m| m.user_id == bob.id).unwrap();
    assert_eq!(
        (bobs.last_delivered_seq, bobs.last_read_seq),
        (2, 2),
        "reading delivers too"
    );
    let summary = store
        .conversation_summary(dm, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.markers().len(), 2);
    assert!(
        store
            .member_markers(ConversationId::new())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn contacts_are_the_people_sharing_a_conversation(store: DynStore) {
    let (alice, bob, _dm) = alice_and_bob(&store).await;
    let carol = user(&store, "carol").await;
    let _dave = user(&store, "dave").await;
    direct(&store, &alice, &carol).await;
    direct(&store, &bob, &carol).await;
    let names = |contacts: Vec<crate::Contact>| {
        contacts
            .into_iter()
            .map(|c| c.user.username.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.contacts(alice.id).await.unwrap()),
        ["bob", "carol"]
    );
    assert_eq!(
        names(store.contacts(carol.id).await.unwrap()),
        ["alice", "bob"]
    );
}

pub async fn last_seen_is_recorded(store: DynStore) {
    let (alice, bob, _dm) = alice_and_bob(&store).await;
    let contacts = store.contacts(alice.id).await.unwrap();
    assert_eq!(contacts[0].last_seen_at, None);
    let at = now();
    store.record_last_seen(bob.id, at).await.unwrap();
    assert_eq!(
        store.contacts(alice.id).await.unwrap()[0].last_seen_at,
        Some(at)
    );
}

pub async fn events_after_return_the_log_in_order(store: DynStore) {
    let (alice, bob, dm) = alice_and_bob(&store).await;
    send(&store, dm, alice.id, "k1", "one").await;
    send(&store, dm, bob.id, "k2", "two").await;
    let all = store.events_after(dm, 0, 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        all.iter().map(|e| e.kind.type_name()).collect::<Vec<_>>(),
        ["conversation_created", "new_message", "new_message"]
    );
    match &all[2].kind {
        EventKind::NewMessage(message) => {
            assert_eq!(message.text(), Some("two"));
            assert_eq!(message.sender_id, bob.id);
        }
        other => panic!("expected a message, got {other:?}"),
    }
    let after = store.events_after(dm, 2, 10).await.unwrap();
    assert_eq!(after.iter().map(|e| e.seq).collect::<Vec<_>>(), [3]);
    assert_eq!(store.events_after(dm, 1, 1).await.unwrap().len(), 1);
}

pub async fn conversation_cursors_list_members_conversations(store: DynStore) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dm = direct(&store, &alice, &bob).await;
    send(&store, dm, alice.id, "k1", "one").await;
    assert_eq!(
        store.conversation_cursors(alice.id).await.unwrap(),
        [(dm, 2)]
    );
    assert!(
        store
            .conversation_cursors(carol.id)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn ping_answers(store: DynStore) {
    store.ping().await.unwrap();
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}
