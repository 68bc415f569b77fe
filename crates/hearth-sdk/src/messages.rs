//! Messages: sending, history, one message, edits, deletions, reactions and search.

use hearth_proto::{
    EditMessageRequest, MessageDto, MessagePage, SearchResults, SendMessageRequest,
};
use reqwest::Method;
use uuid::Uuid;

use crate::client::{Auth, Call};
use crate::conversations::conversation_call;
use crate::{Client, ClientError};

/// `/v1/conversations/{conversation}/messages/{message}` followed by `rest`.
fn message_call(method: Method, conversation: Uuid, message: Uuid, rest: &[&str]) -> Call {
    rest.iter().fold(
        conversation_call(method, conversation, &["messages"]).segment(message),
        |call, segment| call.segment(segment),
    )
}

/// A page of search results to ask for: pass the previous answer's `next_cursor` to read on.
#[derive(Clone, Debug, Default)]
pub struct SearchPageRequest {
    /// The `next_cursor` of the previous page; `None` for the first (newest) page.
    pub cursor: Option<String>,
    /// 1–100 results (server default 50).
    pub limit: Option<u32>,
}

impl Client {
    /// `POST /v1/conversations/{id}/messages`: sends `content` (1–4,000 characters) with
    /// the idempotency key `client_message_id`. Retrying with the same key and content
    /// answers the original message; the same key with other content is `409 conflict`.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, dm: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let key = uuid::Uuid::now_v7().to_string();
    /// let sent = alice.send_message(dm, &key, "hello").await?;
    /// let again = alice.send_message(dm, &key, "hello").await?;
    /// assert_eq!(sent.id, again.id);
    /// # Ok(()) }
    /// ```
    pub async fn send_message(
        &self,
        conversation: Uuid,
        client_message_id: &str,
        content: &str,
    ) -> Result<MessageDto, ClientError> {
        self.send(
            conversation,
            &SendMessageRequest {
                client_message_id: client_message_id.to_owned(),
                content: content.to_owned(),
                reply_to: None,
                attachments: Vec::new(),
            },
        )
        .await
    }

    /// [`send_message`](Self::send_message) with every field of the request, e.g. a reply
    /// (`reply_to`).
    pub async fn send(
        &self,
        conversation: Uuid,
        request: &SendMessageRequest,
    ) -> Result<MessageDto, ClientError> {
        self.execute(conversation_call(Method::POST, conversation, &["messages"]).json(request)?)
            .await
    }

    /// `GET /v1/conversations/{id}/messages?after_seq=&limit=`: up to `limit` (1–100)
    /// messages after `after_seq`, oldest first.
    pub async fn messages_after(
        &self,
        conversation: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<MessagePage, ClientError> {
        let call = conversation_call(Method::GET, conversation, &["messages"])
            .query("after_seq", Some(after_seq))
            .query("limit", Some(limit));
        self.execute(call).await
    }

    /// `GET /v1/conversations/{id}/messages?before_seq=&limit=`: the page of up to `limit`
    /// messages just before `before_seq`, oldest first (paging back from the latest).
    pub async fn messages_before(
        &self,
        conversation: Uuid,
        before_seq: i64,
        limit: u32,
    ) -> Result<MessagePage, ClientError> {
        let call = conversation_call(Method::GET, conversation, &["messages"])
            .query("before_seq", Some(before_seq))
            .query("limit", Some(limit));
        self.execute(call).await
    }

    /// `GET /v1/conversations/{id}/messages/{message_id}`: one message as it is now.
    pub async fn message(
        &self,
        conversation: Uuid,
        message: Uuid,
    ) -> Result<MessageDto, ClientError> {
        self.execute(message_call(Method::GET, conversation, message, &[]))
            .await
    }

    /// `PATCH …/messages/{message_id}`: replaces the text of the caller's own message,
    /// within the server's edit window. `403 forbidden` for someone else's message or after
    /// the window, `409 conflict` for a deleted one; the same text again changes nothing.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, dm: uuid::Uuid, id: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let edited = alice.edit_message(dm, id, "hello, world").await?;
    /// assert!(edited.edited_at.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn edit_message(
        &self,
        conversation: Uuid,
        message: Uuid,
        content: &str,
    ) -> Result<MessageDto, ClientError> {
        let body = EditMessageRequest {
            content: content.to_owned(),
        };
        self.execute(message_call(Method::PATCH, conversation, message, &[]).json(&body)?)
            .await
    }

    /// `DELETE …/messages/{message_id}`: deletes a message (the caller's own, or any with
    /// `can_delete_messages`), answering its tombstone (`deleted: true`, no content).
    /// Deleting a tombstone again answers it unchanged.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, dm: uuid::Uuid, id: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let tombstone = alice.delete_message(dm, id).await?;
    /// assert!(tombstone.deleted && tombstone.content.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn delete_message(
        &self,
        conversation: Uuid,
        message: Uuid,
    ) -> Result<MessageDto, ClientError> {
        self.execute(message_call(Method::DELETE, conversation, message, &[]))
            .await
    }

    /// `PUT …/messages/{message_id}/reactions/{emoji}`: reacts with one Unicode emoji
    /// (already there changes nothing); answers the message with its reactions.
    ///
    /// ```no_run
    /// # async fn demo(bob: hearth_sdk::Client, dm: uuid::Uuid, id: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// let message = bob.add_reaction(dm, id, "👍").await?;
    /// assert!(message.reactions.iter().any(|r| r.emoji == "👍" && r.reacted_by_me));
    /// # Ok(()) }
    /// ```
    pub async fn add_reaction(
        &self,
        conversation: Uuid,
        message: Uuid,
        emoji: &str,
    ) -> Result<MessageDto, ClientError> {
        let call = message_call(Method::PUT, conversation, message, &["reactions"]).segment(emoji);
        self.execute(call).await
    }

    /// `DELETE …/messages/{message_id}/reactions/{emoji}`: takes the caller's reaction back
    /// (not there changes nothing).
    pub async fn remove_reaction(
        &self,
        conversation: Uuid,
        message: Uuid,
        emoji: &str,
    ) -> Result<MessageDto, ClientError> {
        let call =
            message_call(Method::DELETE, conversation, message, &["reactions"]).segment(emoji);
        self.execute(call).await
    }

    /// `GET /v1/conversations/{id}/messages/search`: full-text search of one conversation,
    /// newest first. `q` (1–200 characters) holds words (all required, matched by stem),
    /// `"phrases"` and `prefix*`. Deleted messages are never found.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client, dm: uuid::Uuid) -> Result<(), hearth_sdk::ClientError> {
    /// use hearth_sdk::SearchPageRequest;
    ///
    /// let first = alice.search_conversation(dm, "lunch", &SearchPageRequest::default()).await?;
    /// if let Some(cursor) = first.next_cursor {
    ///     let next = SearchPageRequest { cursor: Some(cursor), limit: None };
    ///     let older = alice.search_conversation(dm, "lunch", &next).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn search_conversation(
        &self,
        conversation: Uuid,
        q: &str,
        page: &SearchPageRequest,
    ) -> Result<SearchResults, ClientError> {
        let call = conversation_call(Method::GET, conversation, &["messages", "search"]);
        self.execute(search_query(call, q, page)).await
    }

    /// `GET /v1/messages/search`: the same search over every conversation the caller is in.
    pub async fn search_all(
        &self,
        q: &str,
        page: &SearchPageRequest,
    ) -> Result<SearchResults, ClientError> {
        let call = Call::new(Method::GET, &["v1", "messages", "search"], Auth::Bearer);
        self.execute(search_query(call, q, page)).await
    }
}

fn search_query(call: Call, q: &str, page: &SearchPageRequest) -> Call {
    call.query("q", Some(q))
        .query("cursor", page.cursor.as_deref())
        .query("limit", page.limit)
}
