//! Conversations: the list, direct conversations, groups, rooms and channels, members, and
//! the caller's read and delivered markers.

use hearth_proto::{
    AddMemberRequest, ConversationDto, ConversationList, CreateConversationRequest,
    DeliveredMarker, JoinRequestDto, JoinRequestList, MarkDeliveredRequest, MarkReadRequest,
    MemberDto, MemberList, ReadMarker,
};
use reqwest::Method;
use serde::Deserialize;
use uuid::Uuid;

use crate::client::{Auth, Call};
use crate::{Client, ClientError};

/// What asking to join did.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum JoinOutcome {
    /// The caller is a member now (200): the conversation as they see it.
    Joined(Box<ConversationDto>),
    /// The conversation requires approval (202): the request waits for a manager.
    Requested(JoinRequestDto),
}

/// `/v1/conversations/{id}` followed by `rest`.
pub(crate) fn conversation_call(method: Method, conversation: Uuid, rest: &[&str]) -> Call {
    rest.iter().fold(
        Call::new(method, &["v1", "conversations"], Auth::Bearer).segment(conversation),
        |call, segment| call.segment(segment),
    )
}

impl Client {
    /// `GET /v1/conversations`: the caller's conversations, most recently active first.
    pub async fn conversations(&self) -> Result<Vec<ConversationDto>, ClientError> {
        let call = Call::new(Method::GET, &["v1", "conversations"], Auth::Bearer);
        self.execute::<ConversationList>(call)
            .await
            .map(|list| list.conversations)
    }

    /// `GET /v1/conversations/{id}`: one conversation the caller is in.
    pub async fn conversation(&self, conversation: Uuid) -> Result<ConversationDto, ClientError> {
        self.execute(conversation_call(Method::GET, conversation, &[]))
            .await
    }

    /// `POST /v1/conversations/direct`: the direct conversation with `other_user_id`,
    /// created if needed.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, bob: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let dm = alice.direct(bob).await?;
    /// alice.send_message(dm.id, "key-1", "hi Bob").await?;
    /// # Ok(()) }
    /// ```
    pub async fn direct(&self, other_user_id: Uuid) -> Result<ConversationDto, ClientError> {
        let body = hearth_proto::DirectRequest {
            other_user_id: Some(other_user_id.to_string()),
            ..Default::default()
        };
        self.execute(
            Call::new(
                Method::POST,
                &["v1", "conversations", "direct"],
                Auth::Bearer,
            )
            .json(&body)?,
        )
        .await
    }

    /// `POST /v1/conversations`: a group, room or channel owned by the caller.
    pub async fn create_conversation(
        &self,
        request: &CreateConversationRequest,
    ) -> Result<ConversationDto, ClientError> {
        self.execute(Call::new(Method::POST, &["v1", "conversations"], Auth::Bearer).json(request)?)
            .await
    }

    /// `POST /v1/conversations/{id}/join`: joins a room or channel, or asks to when it
    /// requires approval.
    ///
    /// ```no_run
    /// # async fn demo(bob: hearth_sdk::Client, room: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// use hearth_sdk::JoinOutcome;
    ///
    /// match bob.join(room).await? {
    ///     JoinOutcome::Joined(conversation) => assert_eq!(conversation.id, room),
    ///     JoinOutcome::Requested(request) => { /* wait for a manager's approval */ }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn join(&self, conversation: Uuid) -> Result<JoinOutcome, ClientError> {
        self.execute(conversation_call(Method::POST, conversation, &["join"]))
            .await
    }

    /// `POST /v1/conversations/{id}/leave`: the caller leaves (an owner transfers or deletes
    /// instead).
    pub async fn leave(&self, conversation: Uuid) -> Result<(), ClientError> {
        self.execute::<hearth_proto::Ok>(conversation_call(Method::POST, conversation, &["leave"]))
            .await
            .map(drop)
    }

    /// `GET /v1/conversations/{id}/members`: a page of members in join order, from
    /// `offset`; `limit` 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, room: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let page = alice.members(room, 0, Some(100)).await?;
    /// let more = page.has_more;
    /// # Ok(()) }
    /// ```
    pub async fn members(
        &self,
        conversation: Uuid,
        offset: u32,
        limit: Option<u32>,
    ) -> Result<MemberList, ClientError> {
        let call = conversation_call(Method::GET, conversation, &["members"])
            .query("offset", Some(offset))
            .query("limit", limit);
        self.execute(call).await
    }

    /// `POST /v1/conversations/{id}/members`: adds a user by id (needs
    /// `can_manage_participants` and the user's consent).
    pub async fn add_member(
        &self,
        conversation: Uuid,
        user_id: Uuid,
    ) -> Result<MemberDto, ClientError> {
        let body = AddMemberRequest {
            user_id: Some(user_id.to_string()),
            username: None,
            email: None,
        };
        self.execute(conversation_call(Method::POST, conversation, &["members"]).json(&body)?)
            .await
    }

    /// `DELETE /v1/conversations/{id}/members/{user_id}`: removes a member.
    pub async fn remove_member(
        &self,
        conversation: Uuid,
        user_id: Uuid,
    ) -> Result<(), ClientError> {
        let call = conversation_call(Method::DELETE, conversation, &["members"]).segment(user_id);
        self.execute::<hearth_proto::Ok>(call).await.map(drop)
    }

    /// `POST /v1/conversations/{id}/read`: moves the caller's read marker to `seq` (it never
    /// moves back); answers the marker and the unread count.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, dm: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let latest = alice.conversation(dm).await?.last_seq;
    /// let marker = alice.mark_read(dm, latest).await?;
    /// assert_eq!(marker.unread_count, 0);
    /// # Ok(()) }
    /// ```
    pub async fn mark_read(&self, conversation: Uuid, seq: i64) -> Result<ReadMarker, ClientError> {
        self.execute(
            conversation_call(Method::POST, conversation, &["read"])
                .json(&MarkReadRequest { seq })?,
        )
        .await
    }

    /// `POST /v1/conversations/{id}/delivered`: moves the caller's delivered marker to `seq`
    /// (a device has everything up to it).
    pub async fn mark_delivered(
        &self,
        conversation: Uuid,
        seq: i64,
    ) -> Result<DeliveredMarker, ClientError> {
        self.execute(
            conversation_call(Method::POST, conversation, &["delivered"])
                .json(&MarkDeliveredRequest { seq })?,
        )
        .await
    }

    /// `GET /v1/conversations/{id}/join-requests`: pending requests, oldest first (needs
    /// `can_manage_participants`).
    pub async fn join_requests(
        &self,
        conversation: Uuid,
    ) -> Result<Vec<JoinRequestDto>, ClientError> {
        let call = conversation_call(Method::GET, conversation, &["join-requests"]);
        self.execute::<JoinRequestList>(call)
            .await
            .map(|list| list.join_requests)
    }

    /// `POST …/join-requests/{user_id}/approve`: the user who asked becomes a member.
    pub async fn approve_join_request(
        &self,
        conversation: Uuid,
        user_id: Uuid,
    ) -> Result<MemberDto, ClientError> {
        let call = conversation_call(Method::POST, conversation, &["join-requests"])
            .segment(user_id)
            .segment("approve");
        self.execute(call).await
    }

    /// `POST …/join-requests/{user_id}/deny`: drops the request.
    pub async fn deny_join_request(
        &self,
        conversation: Uuid,
        user_id: Uuid,
    ) -> Result<(), ClientError> {
        let call = conversation_call(Method::POST, conversation, &["join-requests"])
            .segment(user_id)
            .segment("deny");
        self.execute::<hearth_proto::Ok>(call).await.map(drop)
    }
}
