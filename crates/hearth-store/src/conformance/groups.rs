//! Conformance of groups, public rooms and channels: creation with an owner and members,
//! unique public names, settings, deletion and discovery.

use hearth_domain::{Access, Role};

use super::*;
use crate::{Departure, Discovery, MessageSearch};

pub async fn groups_rooms_and_channels_start_with_owner_members_and_event_at_seq_1(
    store: DynStore,
) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    for (kind, title) in [
        (ConversationKind::Group, "Friends"),
        (ConversationKind::Room, "Rustaceans"),
        (ConversationKind::Channel, "Announcements"),
    ] {
        let settings = Settings {
            description: Description::parse("what it is about").unwrap(),
            require_approval: true,
            ..titled(kind, title)
        };
        // The creator among the members, or a member twice, still counts once.
        let event = create(
            &store,
            kind,
            settings.clone(),
            &owner,
            &[&bob, &carol, &bob, &owner],
        )
        .await;
        assert_eq!((event.seq, event.actor_id), (1, owner.id));
        assert_eq!(
            event.kind,
            EventKind::ConversationCreated {
                member_ids: vec![owner.id, bob.id, carol.id]
            }
        );
        let id = event.conversation_id;
        assert_eq!(
            store.events_after(id, 0, 0, 10).await.unwrap(),
            [event],
            "the log holds what the write returned"
        );

        let standing = store.standing(id, owner.id).await.unwrap().unwrap();
        assert_eq!(standing.conversation.kind, kind);
        assert_eq!(standing.conversation.settings, settings);
        assert_eq!(standing.conversation.created_by, owner.id);
        assert_eq!(standing.conversation.member_count, 3);
        assert_eq!(
            standing.member,
            Some(Access {
                user_id: owner.id,
                role: Role::Owner,
                permissions: Permissions::ALL,
                history_from: 0,
            })
        );
        let bobs = store.standing(id, bob.id).await.unwrap().unwrap();
        assert_eq!(
            bobs.member.map(|m| (m.role, m.permissions)),
            Some((Role::Member, kind.member_defaults())),
            "ordinary members get the kind's defaults"
        );

        let summary = store
            .conversation_summary(id, carol.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(summary.conversation, standing.conversation);
        assert_eq!(summary.me.role, Role::Member);
        let members = summary.members.unwrap();
        assert_eq!(members.len(), 3);
        let owner_row = members.iter().find(|m| m.user.id == owner.id).unwrap();
        assert_eq!(
            (owner_row.role, owner_row.permissions),
            (Role::Owner, Permissions::ALL)
        );
        assert_eq!(
            (
                summary.last_seq,
                summary.last_read_seq,
                summary.unread_count
            ),
            (1, 0, 0)
        );
    }
}

pub async fn creating_with_an_unknown_member_is_not_found_and_writes_nothing(store: DynStore) {
    let owner = user(&store, "owner").await;
    let result = store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            kind: ConversationKind::Room,
            settings: titled(ConversationKind::Room, "Lobby"),
            created_by: owner.id,
            members: vec![UserId::new()],
            at: now(),
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound(Missing::User))),
        "{result:?}"
    );
    assert!(
        store
            .conversation_summaries(owner.id)
            .await
            .unwrap()
            .is_empty()
    );
    // The name was not taken by the failed write.
    create(
        &store,
        ConversationKind::Room,
        titled(ConversationKind::Room, "Lobby"),
        &owner,
        &[],
    )
    .await;
}

pub async fn public_names_are_unique_case_insensitively_and_freed_by_deletion(store: DynStore) {
    let owner = user(&store, "owner").await;
    let room = create(
        &store,
        ConversationKind::Room,
        titled(ConversationKind::Room, "Rust Lovers"),
        &owner,
        &[],
    )
    .await
    .conversation_id;
    for kind in [ConversationKind::Room, ConversationKind::Channel] {
        let clash = store
            .create_conversation(NewConversation {
                id: ConversationId::new(),
                kind,
                settings: titled(kind, "rust LOVERS"),
                created_by: owner.id,
                members: Vec::new(),
                at: now(),
            })
            .await;
        assert!(
            matches!(
                clash,
                Err(StoreError::Conflict(ConflictKind::RoomNameTaken))
            ),
            "{clash:?}"
        );
    }
    // Groups have no public name: any number may share a title.
    for _ in 0..2 {
        create(
            &store,
            ConversationKind::Group,
            titled(ConversationKind::Group, "Rust Lovers"),
            &owner,
            &[],
        )
        .await;
    }
    // Renaming onto a taken name clashes too; renaming to one's own name in other case is fine.
    let other = create(
        &store,
        ConversationKind::Channel,
        titled(ConversationKind::Channel, "Other"),
        &owner,
        &[],
    )
    .await
    .conversation_id;
    let rename = store
        .update_settings(
            other,
            owner.id,
            titled(ConversationKind::Channel, "RUST lovers"),
            now(),
        )
        .await;
    assert!(
        matches!(
            rename,
            Err(StoreError::Conflict(ConflictKind::RoomNameTaken))
        ),
        "{rename:?}"
    );
    store
        .update_settings(
            room,
            owner.id,
            titled(ConversationKind::Room, "RUST LOVERS"),
            now(),
        )
        .await
        .unwrap();

    store
        .delete_conversation(room, owner.id, now())
        .await
        .unwrap();
    create(
        &store,
        ConversationKind::Channel,
        titled(ConversationKind::Channel, "Rust lovers"),
        &owner,
        &[],
    )
    .await;
}

pub async fn settings_changes_are_logged_and_read_back(store: DynStore) {
    let owner = user(&store, "owner").await;
    let admin = user(&store, "admin").await;
    let id = group(&store, &owner, &[&admin], HistoryVisibility::All).await;
    let settings = Settings {
        title: Some(Title::parse(ConversationKind::Group, "Renamed").unwrap()),
        description: Description::parse("now with a description").unwrap(),
        require_approval: true,
        history_visibility: HistoryVisibility::MemberJoinDate,
    };
    let event = store
        .update_settings(id, admin.id, settings.clone(), now())
        .await
        .unwrap();
    assert_eq!((event.seq, event.actor_id), (2, admin.id));
    assert_eq!(event.kind, EventKind::SettingsChanged(settings.clone()));
    assert_eq!(store.events_after(id, 1, 0, 10).await.unwrap(), [event]);
    let standing = store.standing(id, owner.id).await.unwrap().unwrap();
    assert_eq!(standing.conversation.settings, settings);
    assert_eq!(
        store.conversation_cursors(owner.id).await.unwrap()[0].last_seq,
        2
    );
    let missing = store
        .update_settings(ConversationId::new(), owner.id, settings, now())
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(Missing::Conversation))),
        "{missing:?}"
    );
}

pub async fn deleting_hides_the_conversation_from_every_read(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let room = create(
        &store,
        ConversationKind::Room,
        titled(ConversationKind::Room, "Doomed"),
        &owner,
        &[&bob],
    )
    .await
    .conversation_id;
    let sent = send(&store, room, bob.id, "k1", "findable words").await;
    store
        .request_join(room, user(&store, "carol").await.id, now())
        .await
        .unwrap();

    let event = store
        .delete_conversation(room, owner.id, now())
        .await
        .unwrap();
    assert_eq!((event.seq, event.actor_id), (3, owner.id));
    assert_eq!(event.kind, EventKind::ConversationDeleted);
    assert_eq!(
        store.events_after(room, 2, 0, 10).await.unwrap(),
        [event],
        "the deletion is the log's last event"
    );

    assert_eq!(store.standing(room, owner.id).await.unwrap(), None);
    for member in [&owner, &bob] {
        assert!(
            store
                .conversation_summaries(member.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .conversation_cursors(member.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert!(store.members(room, 0, 10).await.unwrap().is_empty());
    assert!(store.join_requests(room).await.unwrap().is_empty());
    let hits = store
        .search_messages(MessageSearch {
            viewer: bob.id,
            conversation: None,
            text: hearth_domain::SearchText::parse("q", "findable").unwrap(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(hits.is_empty(), "{hits:?}");
    let blanked = store
        .message(room, sent.message().id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(blanked.text(), None, "message content is gone");

    // Nothing more happens in a deleted conversation.
    let again = store.delete_conversation(room, owner.id, now()).await;
    assert!(
        matches!(again, Err(StoreError::NotFound(Missing::Conversation))),
        "{again:?}"
    );
    let join = store.add_member(joining(room, &bob, &bob)).await;
    assert!(
        matches!(join, Err(StoreError::NotFound(Missing::Conversation))),
        "{join:?}"
    );
    let leave = store
        .remove_member(room, bob.id, Departure::Left, now())
        .await;
    assert!(
        matches!(leave, Err(StoreError::NotFound(Missing::Member))),
        "{leave:?}"
    );
    let late = store
        .send_message(new_message(room, bob.id, "k2", "too late"))
        .await;
    assert!(
        matches!(late, Err(StoreError::NotFound(Missing::Conversation))),
        "{late:?}"
    );
}

pub async fn discovery_filters_pages_and_marks_joined(store: DynStore) {
    let owner = user(&store, "owner").await;
    let viewer = user(&store, "viewer").await;
    for (kind, title) in [
        (ConversationKind::Room, "Rust beginners"),
        (ConversationKind::Channel, "rust news"),
        (ConversationKind::Room, "Gardening"),
        (ConversationKind::Room, "100%_rust"),
    ] {
        create(&store, kind, titled(kind, title), &owner, &[]).await;
    }
    create(
        &store,
        ConversationKind::Group,
        titled(ConversationKind::Group, "Private rust"),
        &owner,
        &[],
    )
    .await;
    let joined = create(
        &store,
        ConversationKind::Room,
        titled(ConversationKind::Room, "Rust jobs"),
        &owner,
        &[&viewer],
    )
    .await
    .conversation_id;
    let deleted = create(
        &store,
        ConversationKind::Room,
        titled(ConversationKind::Room, "Rust graveyard"),
        &owner,
        &[],
    )
    .await
    .conversation_id;
    store
        .delete_conversation(deleted, owner.id, now())
        .await
        .unwrap();

    let page = |query: Option<&str>, after: Option<&str>, limit: u32| {
        let store = store.clone();
        let discovery = Discovery {
            viewer: viewer.id,
            query: query.map(str::to_owned),
            after: after.map(str::to_owned),
            limit,
        };
        async move { store.discover(discovery).await.unwrap() }
    };
    let titles = |found: &[crate::Discovered]| {
        found
            .iter()
            .map(|d| {
                d.conversation
                    .settings
                    .title
                    .as_ref()
                    .unwrap()
                    .as_str()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };

    let all = page(None, None, 10).await;
    assert_eq!(
        titles(&all),
        [
            "100%_rust",
            "Gardening",
            "Rust beginners",
            "Rust jobs",
            "rust news"
        ],
        "public and alive only, by case-folded name"
    );
    let rust = page(Some("RUST"), None, 2).await;
    assert_eq!(titles(&rust), ["100%_rust", "Rust beginners"]);
    let next = page(Some("RUST"), Some("rust beginners"), 2).await;
    assert_eq!(titles(&next), ["Rust jobs", "rust news"]);
    assert_eq!(
        next.iter().map(|d| d.joined).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(next[0].conversation.id, joined);
    assert_eq!(next[0].conversation.member_count, 2);
    assert!(page(Some("RUST"), Some("rust news"), 2).await.is_empty());
    assert_eq!(
        titles(&page(Some("%_"), None, 10).await),
        ["100%_rust"],
        "wildcards match literally"
    );
}
