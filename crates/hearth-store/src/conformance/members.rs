//! Conformance of members: joins, departures, roles, ownership, member lists and join
//! requests, each change a logged event.

use hearth_domain::{Access, Role};

use super::*;
use crate::Departure;

async fn member_count(store: &DynStore, conversation: ConversationId, viewer: &User) -> i64 {
    store
        .standing(conversation, viewer.id)
        .await
        .unwrap()
        .unwrap()
        .conversation
        .member_count
}

pub async fn membership_changes_are_logged_and_read_back_identically(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let id = group(&store, &owner, &[], HistoryVisibility::All).await;

    let added = store
        .add_member(NewMember {
            permissions: Permissions::NONE,
            ..joining(id, &bob, &owner)
        })
        .await
        .unwrap();
    assert_eq!((added.seq, added.actor_id), (2, owner.id));
    assert_eq!(
        added.kind,
        EventKind::MemberJoined {
            user_id: bob.id,
            role: Role::Member,
            permissions: Permissions::NONE,
        }
    );
    let joined = store.add_member(joining(id, &carol, &carol)).await.unwrap();
    assert_eq!((joined.seq, joined.actor_id), (3, carol.id));
    let left = store
        .remove_member(id, carol.id, Departure::Left, now())
        .await
        .unwrap();
    assert_eq!((left.seq, left.actor_id), (4, carol.id));
    assert_eq!(left.kind, EventKind::MemberLeft { user_id: carol.id });
    let removed = store
        .remove_member(id, bob.id, Departure::Removed { by: owner.id }, now())
        .await
        .unwrap();
    assert_eq!((removed.seq, removed.actor_id), (5, owner.id));
    assert_eq!(removed.kind, EventKind::MemberRemoved { user_id: bob.id });

    let log = store.events_after(id, 1, 0, 10).await.unwrap();
    assert_eq!(log, [added, joined, left, removed]);
    assert_eq!(log[0].kind.member(), Some(bob.id));
    assert!(
        store
            .standing(id, bob.id)
            .await
            .unwrap()
            .unwrap()
            .member
            .is_none()
    );
    let again = store
        .remove_member(id, bob.id, Departure::Left, now())
        .await;
    assert!(
        matches!(again, Err(StoreError::NotFound(Missing::Member))),
        "{again:?}"
    );
}

pub async fn adding_a_member_twice_conflicts_and_unknowns_are_not_found(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let id = group(&store, &owner, &[&bob], HistoryVisibility::All).await;
    let twice = store.add_member(joining(id, &bob, &owner)).await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Conflict(ConflictKind::AlreadyMember))
        ),
        "{twice:?}"
    );
    let stranger = User {
        id: UserId::new(),
        ..bob.clone()
    };
    let unknown_user = store.add_member(joining(id, &stranger, &owner)).await;
    assert!(
        matches!(unknown_user, Err(StoreError::NotFound(Missing::User))),
        "{unknown_user:?}"
    );
    let unknown_conversation = store
        .add_member(joining(ConversationId::new(), &bob, &owner))
        .await;
    assert!(
        matches!(
            unknown_conversation,
            Err(StoreError::NotFound(Missing::Conversation))
        ),
        "{unknown_conversation:?}"
    );
    // None of the failures took a seq.
    let next = store
        .add_member(joining(id, &user(&store, "carol").await, &owner))
        .await
        .unwrap();
    assert_eq!(next.seq, 2);
}

pub async fn member_count_follows_every_change(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let id = group(&store, &owner, &[&bob], HistoryVisibility::All).await;
    assert_eq!(member_count(&store, id, &owner).await, 2);
    store.add_member(joining(id, &carol, &carol)).await.unwrap();
    assert_eq!(member_count(&store, id, &owner).await, 3);
    store
        .remove_member(id, bob.id, Departure::Removed { by: owner.id }, now())
        .await
        .unwrap();
    store
        .remove_member(id, carol.id, Departure::Left, now())
        .await
        .unwrap();
    assert_eq!(member_count(&store, id, &owner).await, 1);
    store.add_member(joining(id, &carol, &carol)).await.unwrap();
    assert_eq!(member_count(&store, id, &owner).await, 2);
    let summary = store
        .conversation_summary(id, owner.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.conversation.member_count, 2);
    assert_eq!(summary.members.map(|m| m.len()), Some(2));
}

pub async fn member_updates_and_ownership_transfer_are_logged(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let id = group(&store, &owner, &[&bob], HistoryVisibility::All).await;
    let moderator = Permissions {
        can_moderate_content: true,
        ..Permissions::SEND
    };
    let updated = store
        .update_member(id, bob.id, owner.id, Role::Member, moderator, now())
        .await
        .unwrap();
    assert_eq!(
        updated.kind,
        EventKind::MemberUpdated {
            user_id: bob.id,
            role: Role::Member,
            permissions: moderator,
        }
    );
    let bobs = store.standing(id, bob.id).await.unwrap().unwrap().member;
    assert_eq!(
        bobs.map(|m| (m.role, m.permissions)),
        Some((Role::Member, moderator))
    );
    let listed = store.member(id, bob.id).await.unwrap().unwrap();
    assert_eq!(
        (listed.user.id, listed.role, listed.permissions),
        (bob.id, Role::Member, moderator)
    );
    assert_eq!(store.member(id, UserId::new()).await.unwrap(), None);

    let promoted = store
        .update_member(id, bob.id, owner.id, Role::Admin, moderator, now())
        .await
        .unwrap();
    assert_eq!(
        store
            .standing(id, bob.id)
            .await
            .unwrap()
            .unwrap()
            .member
            .map(|m| m.role),
        Some(Role::Admin)
    );

    let transferred = store
        .transfer_ownership(id, owner.id, bob.id, now())
        .await
        .unwrap();
    assert_eq!((transferred.seq, transferred.actor_id), (4, owner.id));
    assert_eq!(
        transferred.kind,
        EventKind::OwnershipTransferred { user_id: bob.id }
    );
    let role = |user: UserId| {
        let store = store.clone();
        async move {
            store
                .standing(id, user)
                .await
                .unwrap()
                .unwrap()
                .member
                .unwrap()
                .role
        }
    };
    assert_eq!(role(bob.id).await, Role::Owner);
    assert_eq!(role(owner.id).await, Role::Admin);
    assert_eq!(
        store.events_after(id, 1, 0, 10).await.unwrap(),
        [updated, promoted, transferred]
    );

    let stranger = store
        .update_member(id, UserId::new(), owner.id, Role::Member, moderator, now())
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(Missing::Member))),
        "{stranger:?}"
    );
}

pub async fn transfer_needs_the_current_owner(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let id = group(&store, &owner, &[&bob, &carol], HistoryVisibility::All).await;
    let not_owner = store.transfer_ownership(id, bob.id, carol.id, now()).await;
    assert!(
        matches!(not_owner, Err(StoreError::Conflict(ConflictKind::NotOwner))),
        "{not_owner:?}"
    );
    let to_stranger = store
        .transfer_ownership(id, owner.id, UserId::new(), now())
        .await;
    assert!(
        matches!(to_stranger, Err(StoreError::NotFound(Missing::Member))),
        "{to_stranger:?}"
    );
    let to_self = store
        .transfer_ownership(id, owner.id, owner.id, now())
        .await;
    assert!(
        matches!(to_self, Err(StoreError::Conflict(ConflictKind::NotOwner))),
        "{to_self:?}"
    );
    store
        .transfer_ownership(id, owner.id, bob.id, now())
        .await
        .unwrap();
    let stale = store
        .transfer_ownership(id, owner.id, carol.id, now())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(ConflictKind::NotOwner))),
        "a second transfer by the former owner: {stale:?}"
    );
    let owners = store
        .members(id, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.role == Role::Owner)
        .map(|m| m.user.id)
        .collect::<Vec<_>>();
    assert_eq!(owners, [bob.id], "exactly one owner");
}

pub async fn new_members_start_with_nothing_unread(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let id = group(&store, &owner, &[], HistoryVisibility::All).await;
    for i in 0..3 {
        send(&store, id, owner.id, &format!("k{i}"), "before").await;
    }
    let joined = store.add_member(joining(id, &bob, &bob)).await.unwrap();
    let summary = store
        .conversation_summary(id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (summary.unread_count, summary.last_read_seq),
        (0, joined.seq)
    );
    assert_eq!(
        summary.last_message.as_ref().and_then(|m| m.text()),
        Some("before"),
        "history is visible (all), just not unread"
    );
    let markers = store.member_markers(id).await.unwrap();
    let bobs = markers.iter().find(|m| m.user_id == bob.id).unwrap();
    assert_eq!(
        (bobs.last_read_seq, bobs.last_delivered_seq),
        (joined.seq, joined.seq)
    );
    send(&store, id, owner.id, "after", "after").await;
    let summary = store
        .conversation_summary(id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.unread_count, 1);
}

pub async fn members_page_in_join_order_and_audience_lists_access(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let dave = user(&store, "dave").await;
    let id = group(&store, &owner, &[&carol, &bob], HistoryVisibility::None).await;
    let joined = store.add_member(joining(id, &dave, &dave)).await.unwrap();
    let names = |members: Vec<hearth_domain::Member>| {
        members
            .into_iter()
            .map(|m| m.user.username.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.members(id, 0, 10).await.unwrap()),
        ["bob", "carol", "owner", "dave"],
        "founders (by name) before later joins"
    );
    assert_eq!(
        names(store.members(id, 1, 2).await.unwrap()),
        ["carol", "owner"]
    );
    assert!(store.members(id, 4, 10).await.unwrap().is_empty());
    let page = store.members(id, 3, 1).await.unwrap();
    assert_eq!(
        (page[0].role, page[0].permissions, page[0].last_read_seq),
        (Role::Member, Permissions::SEND, joined.seq)
    );

    let mut audience = store.audience(id).await.unwrap();
    audience.sort_by_key(|a| a.history_from);
    assert_eq!(audience.len(), 4);
    assert_eq!(
        audience.last(),
        Some(&Access {
            user_id: dave.id,
            role: Role::Member,
            permissions: Permissions::SEND,
            history_from: joined.seq,
        })
    );
    assert!(
        audience
            .iter()
            .any(|a| a.user_id == owner.id && a.role == Role::Owner)
    );
    assert!(
        store
            .audience(ConversationId::new())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn join_requests_are_listed_denied_and_approved(store: DynStore) {
    let owner = user(&store, "owner").await;
    let bob = user(&store, "bob").await;
    let carol = user(&store, "carol").await;
    let id = group(&store, &owner, &[], HistoryVisibility::All).await;
    let at = now();
    let request = store.request_join(id, bob.id, at).await.unwrap();
    assert_eq!(
        (request.conversation_id, request.user.id, request.created_at),
        (id, bob.id, at)
    );
    let twice = store.request_join(id, bob.id, now()).await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Conflict(ConflictKind::JoinRequestPending))
        ),
        "{twice:?}"
    );
    let member = store.request_join(id, owner.id, now()).await;
    assert!(
        matches!(
            member,
            Err(StoreError::Conflict(ConflictKind::AlreadyMember))
        ),
        "a member does not ask: {member:?}"
    );
    store.request_join(id, carol.id, now()).await.unwrap();
    let pending = store.join_requests(id).await.unwrap();
    assert_eq!(
        pending.iter().map(|r| r.user.id).collect::<Vec<_>>(),
        [bob.id, carol.id],
        "oldest first"
    );
    assert_eq!(pending[0], request);

    assert!(store.deny_join_request(id, carol.id).await.unwrap());
    assert!(!store.deny_join_request(id, carol.id).await.unwrap());
    let approve_denied = store
        .approve_join_request(joining(id, &carol, &owner))
        .await;
    assert!(
        matches!(
            approve_denied,
            Err(StoreError::NotFound(Missing::JoinRequest))
        ),
        "{approve_denied:?}"
    );

    let approved = store
        .approve_join_request(joining(id, &bob, &owner))
        .await
        .unwrap();
    assert_eq!((approved.seq, approved.actor_id), (2, owner.id));
    assert_eq!(
        approved.kind,
        EventKind::MemberJoined {
            user_id: bob.id,
            role: Role::Member,
            permissions: Permissions::SEND,
        }
    );
    assert!(store.join_requests(id).await.unwrap().is_empty());
    assert!(
        store
            .standing(id, bob.id)
            .await
            .unwrap()
            .unwrap()
            .member
            .is_some()
    );
    assert_eq!(store.events_after(id, 1, 0, 10).await.unwrap(), [approved]);

    // Adding someone directly drops their pending request too.
    store.request_join(id, carol.id, now()).await.unwrap();
    store.add_member(joining(id, &carol, &owner)).await.unwrap();
    assert!(store.join_requests(id).await.unwrap().is_empty());
}
