//! Conversations for tests: direct ones, and groups, rooms and channels with their members,
//! made through the same use cases a client calls.

use hearth_app::{CreateInput, JoinOutcome, MemberUpdate};
use hearth_domain::ConversationId;

use crate::{TestKit, TestUser};

impl TestKit {
    /// The direct conversation of `a` with `b` (created by `a`).
    pub async fn direct(&self, a: &TestUser, b: &TestUser) -> ConversationId {
        self.app
            .conversations
            .direct(
                a.caller,
                hearth_app::UserLookup::by_id("other_user_id", b.id_string()),
            )
            .await
            .expect("direct conversation")
            .conversation
            .conversation
            .id
    }

    /// Registers alice and bob and opens their direct conversation: the usual cast.
    pub async fn alice_and_bob(&self) -> (TestUser, TestUser, ConversationId) {
        let [alice, bob] = self.users(["alice", "bob"]).await;
        let dm = self.direct(&alice, &bob).await;
        (alice, bob, dm)
    }

    /// A conversation of `kind` (`group`, `room`, `channel`) named `title`, owned by `owner`,
    /// with `members` added at creation.
    pub async fn create(
        &self,
        owner: &TestUser,
        kind: &str,
        title: &str,
        members: &[&TestUser],
    ) -> ConversationId {
        self.create_with(
            owner,
            CreateInput {
                kind: kind.to_owned(),
                title: Some(title.to_owned()),
                member_ids: members.iter().map(|m| m.id_string()).collect(),
                ..CreateInput::default()
            },
        )
        .await
    }

    /// A conversation as `input` describes it, owned by `owner`.
    pub async fn create_with(&self, owner: &TestUser, input: CreateInput) -> ConversationId {
        self.app
            .conversations
            .create(owner.caller, input)
            .await
            .expect("create a conversation")
            .conversation
            .id
    }

    /// A group owned by `owner` with `members`.
    pub async fn group(&self, owner: &TestUser, members: &[&TestUser]) -> ConversationId {
        self.create(owner, "group", "the group", members).await
    }

    /// `who` joins the room or channel `id` (which must take them without a request).
    pub async fn join(&self, who: &TestUser, id: ConversationId) {
        match self
            .app
            .conversations
            .join(who.caller, id)
            .await
            .expect("join")
        {
            JoinOutcome::Joined(_) => {}
            JoinOutcome::Requested(_) => panic!("joining {id} filed a request instead"),
        }
    }

    /// `owner` makes `who` an admin of `id`.
    pub async fn promote(&self, owner: &TestUser, id: ConversationId, who: &TestUser) {
        self.app
            .conversations
            .update_member(
                owner.caller,
                id,
                &who.id_string(),
                MemberUpdate {
                    role: Some("admin".to_owned()),
                    permissions: None,
                },
            )
            .await
            .expect("promote to admin");
    }
}
