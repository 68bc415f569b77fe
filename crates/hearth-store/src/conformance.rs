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
    ClientMessageId, ConversationEvent, ConversationId, ConversationKind, Description, DeviceName,
    DisplayName, EventKind, HistoryVisibility, Limit, MessageContent, MessageId, Permissions,
    SearchQuery, SessionId, Settings, Timestamp, Title, User, UserId, Username,
};
use time::Duration;
use uuid::Uuid;

use crate::{
    ConflictKind, DynStore, Missing, NewConversation, NewMember, NewMessage, NewRefreshToken,
    NewUser, ProfileChange, SendOutcome, StoreError, TokenHash,
};

mod account_admin;
mod accounts;
mod attachments;
mod conversations;
mod groups;
mod log;
mod media;
mod members;
mod message_changes;
mod message_reads;
mod messages;
mod privacy;
mod secrets;
mod sessions;
mod sign_ins;
mod visibility;

pub use account_admin::*;
pub use accounts::*;
pub use attachments::*;
pub use conversations::*;
pub use groups::*;
pub use log::*;
pub use media::*;
pub use members::*;
pub use message_changes::*;
pub use message_reads::*;
pub use messages::*;
pub use privacy::*;
pub use secrets::*;
pub use sessions::*;
pub use sign_ins::*;
pub use visibility::*;

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
            a_profile_change_renames_and_keeps_the_rest,
            an_empty_profile_change_changes_nothing,
            a_profile_change_of_an_unknown_user_is_not_found,
            an_about_text_is_set_read_everywhere_and_cleared,
            an_avatar_is_set_read_everywhere_kept_replaced_and_removed,
            refresh_token_rotates_once,
            revoking_a_session_revokes_its_tokens,
            sessions_of_a_user_are_the_live_ones_most_recently_used_first,
            sessions_ended_since_a_time_are_every_kind_of_end_after_it,
        );
        // Account administration and mailed tokens.
        $crate::store_conformance_tests!(@cases $make;
            a_new_password_replaces_the_old_hash,
            disabling_shows_in_the_account_and_the_credentials,
            accounts_are_listed_by_username_with_their_email,
            revoking_sessions_of_a_user_keeps_the_named_one_and_spares_others,
            a_mailed_token_works_once_and_kills_its_siblings,
            an_expired_or_unknown_token_does_not_work,
            concurrent_uses_of_one_token_succeed_once,
            an_address_is_marked_verified_only_while_it_is_the_accounts,
            messages_by_sender_are_their_live_messages_everywhere_by_id,
            an_erased_account_keeps_nothing_of_its_person,
            a_changed_address_is_proven_and_must_be_free,
            direct_conversation_is_created_once_with_event_at_seq_1,
            direct_conversation_is_unique_under_concurrency,
            direct_conversation_with_unknown_user_is_not_found,
            standing_tells_member_outsider_and_unknown,
            send_assigns_the_next_seq,
            a_sent_message_is_exactly_what_is_stored,
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
            contacts_leave_out_conversations_above_the_size_given,
            last_seen_is_recorded,
            events_after_return_the_log_in_order,
            conversation_cursors_list_members_conversations,
            ping_answers,
            the_first_secret_stored_is_the_one_every_caller_gets,
            secrets_of_other_names_are_their_own,
            racing_candidates_agree_on_one_secret,
            data_keys_are_kept_by_id_and_an_id_is_taken_once,
        );
        // Sign-in through external identity providers.
        $crate::store_conformance_tests!(@cases $make;
            a_sign_in_flow_is_taken_exactly_once,
            saving_a_flow_forgets_the_expired_ones,
            a_flow_linking_to_an_unknown_user_is_not_found,
            an_identity_links_one_subject_to_one_account,
            linking_to_an_unknown_account_is_not_found,
            unlinking_removes_only_that_provider,
            an_account_created_with_its_identity_is_both_or_neither,
            a_handoff_is_taken_exactly_once,
        );
        // Media records.
        $crate::store_conformance_tests!(@cases $make;
            a_pending_upload_reads_back_as_recorded,
            confirming_makes_it_ready_once,
            ready_images_await_thumbnails_until_they_are_recorded_once,
            media_of_an_unknown_owner_is_not_found,
            expired_uploads_are_listed_oldest_first_and_only_while_pending,
            deleting_media_removes_the_record_once,
            media_of_an_owner_are_theirs_oldest_first,
        );
        // Attachments.
        $crate::store_conformance_tests!(@cases $make;
            a_messages_files_are_read_back_in_order_on_every_read_path,
            an_empty_caption_is_stored_with_files,
            a_send_naming_a_missing_file_stores_nothing,
            a_retry_replays_its_files_and_other_files_conflict,
            a_tombstone_has_no_files_and_is_no_place_of_them,
            attachment_places_are_the_latest_seq_per_conversation_of_a_member,
            deleting_a_file_takes_its_attachments_with_it,
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
            search_snippets_keep_the_text_verbatim_markup_included,
            search_never_finds_deleted_or_foreign_messages,
            search_follows_edits,
            search_pages_newest_first_with_a_cursor,
            a_message_id_names_its_conversation,
        );
        // Groups, rooms and channels: creation, settings, deletion, discovery.
        $crate::store_conformance_tests!(@cases $make;
            groups_rooms_and_channels_start_with_owner_members_and_event_at_seq_1,
            creating_with_an_unknown_member_is_not_found_and_writes_nothing,
            public_names_are_unique_case_insensitively_and_freed_by_deletion,
            settings_changes_are_logged_and_read_back,
            deleting_hides_the_conversation_from_every_read,
            discovery_filters_pages_and_marks_joined,
        );
        // Members, roles and join requests.
        $crate::store_conformance_tests!(@cases $make;
            membership_changes_are_logged_and_read_back_identically,
            adding_a_member_twice_conflicts_and_unknowns_are_not_found,
            member_count_follows_every_change,
            member_updates_and_ownership_transfer_are_logged,
            transfer_needs_the_current_owner,
            new_members_start_with_nothing_unread,
            members_page_in_join_order_and_audience_lists_access,
            join_requests_are_listed_denied_and_approved,
        );
        // History visibility on every read path.
        $crate::store_conformance_tests!(@cases $make;
            none_restarts_at_the_latest_join_and_member_join_date_keeps_the_first,
            changing_visibility_recomputes_every_member,
            history_from_applies_to_every_read_path,
        );
        // Privacy, blocks and lookups.
        $crate::store_conformance_tests!(@cases $make;
            privacy_defaults_to_everyone_and_is_replaced,
            blocks_are_idempotent_and_listed_newest_first,
            relation_sees_blocks_both_ways_and_shared_conversations,
            blocked_by_names_who_blocked_the_user,
            users_are_found_by_username_and_email,
            users_are_read_many_at_once_and_unknown_ids_left_out,
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

/// Now, at the stores' precision (microseconds), so values read back compare equal.
pub fn now() -> Timestamp {
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

/// A plain text message from `sender` in `conversation`, sent with idempotency key `key`.
pub fn new_message(
    conversation: ConversationId,
    sender: UserId,
    key: &str,
    text: &str,
) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        conversation_id: conversation,
        sender_id: sender,
        client_message_id: ClientMessageId::parse(key).unwrap(),
        content: MessageContent::parse(text).unwrap(),
        created_at: now(),
        reply_to: None,
        mentions: Vec::new(),
        attachments: Vec::new(),
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

/// Settings with a title and everything else default.
fn titled(kind: ConversationKind, title: &str) -> Settings {
    Settings {
        title: Some(Title::parse(kind, title).unwrap()),
        description: Description::default(),
        require_approval: false,
        history_visibility: HistoryVisibility::All,
    }
}

/// Creates a conversation of `kind` owned by `owner` with `members`; returns its event.
async fn create(
    store: &DynStore,
    kind: ConversationKind,
    settings: Settings,
    owner: &User,
    members: &[&User],
) -> ConversationEvent {
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            kind,
            settings,
            created_by: owner.id,
            members: members.iter().map(|m| m.id).collect(),
            at: now(),
        })
        .await
        .unwrap()
}

/// A group titled `title` owned by `owner` with `members`, history `visibility`.
async fn group(
    store: &DynStore,
    owner: &User,
    members: &[&User],
    visibility: HistoryVisibility,
) -> ConversationId {
    let settings = Settings {
        history_visibility: visibility,
        ..titled(ConversationKind::Group, "The group")
    };
    create(store, ConversationKind::Group, settings, owner, members)
        .await
        .conversation_id
}

/// `user` joins (or is added by `actor`) with the ordinary default permissions.
fn joining(conversation: ConversationId, user: &User, actor: &User) -> NewMember {
    NewMember {
        conversation,
        user: user.id,
        actor: actor.id,
        permissions: Permissions::SEND,
        at: now(),
    }
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
        ip: "192.0.2.1".to_owned(),
    }
}

fn device(name: &str) -> DeviceName {
    DeviceName::parse(name).unwrap()
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
