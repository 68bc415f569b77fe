//! Helpers for the conversation tests: creating groups, rooms and channels and shaping their
//! members, each a real request to the real server.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Response, Session, TestApp};

impl TestApp {
    /// `PATCH path` with a JSON body as `token`.
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// `PUT path` with a JSON body as `token`.
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    /// `DELETE path` as `token`.
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a conversation of `kind` titled `title` owned by `owner` with `members`;
    /// returns its id.
    pub async fn create_conversation(
        &self,
        owner: &Session,
        kind: &str,
        title: &str,
        members: &[&Session],
    ) -> String {
        let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        let created = self
            .post(
                "/v1/conversations",
                &owner.access,
                json!({ "type": kind, "title": title, "member_ids": ids }),
            )
            .await
            .expect(201);
        created.data()["id"].as_str().expect("id").to_owned()
    }

    /// A group of `owner` alone, whose history visibility is `visibility`; its id.
    pub async fn group_with_history(&self, owner: &Session, visibility: &str) -> String {
        let created = self
            .post(
                "/v1/conversations",
                &owner.access,
                json!({ "type": "group", "title": "g", "history_visibility": visibility }),
            )
            .await
            .expect(201);
        created.data()["id"].as_str().expect("id").to_owned()
    }

    /// A group of `owner` with `members`.
    pub async fn group(&self, owner: &Session, members: &[&Session]) -> String {
        self.create_conversation(owner, "group", "The group", members)
            .await
    }

    /// `who` joins (or asks to join) the conversation; returns the answer.
    pub async fn join(&self, who: &Session, conversation: &str) -> Response {
        self.post(
            &format!("/v1/conversations/{conversation}/join"),
            &who.access,
            json!({}),
        )
        .await
    }

    /// `who` leaves the conversation; returns the answer.
    pub async fn leave(&self, who: &Session, conversation: &str) -> Response {
        self.post(
            &format!("/v1/conversations/{conversation}/leave"),
            &who.access,
            json!({}),
        )
        .await
    }

    /// Changes `member`'s role or permissions as `actor`; returns the answer.
    pub async fn update_member(
        &self,
        actor: &Session,
        conversation: &str,
        member: &Session,
        change: Value,
    ) -> Response {
        self.patch(
            &format!(
                "/v1/conversations/{conversation}/members/{}",
                member.user_id
            ),
            &actor.access,
            change,
        )
        .await
    }

    /// Adds `user` to the conversation as `actor`; returns the answer.
    pub async fn add_member(
        &self,
        actor: &Session,
        conversation: &str,
        user: &Session,
    ) -> Response {
        self.post(
            &format!("/v1/conversations/{conversation}/members"),
            &actor.access,
            json!({ "user_id": user.user_id }),
        )
        .await
    }

    /// Removes `user` from the conversation as `actor`; returns the answer.
    pub async fn remove_member(
        &self,
        actor: &Session,
        conversation: &str,
        user: &Session,
    ) -> Response {
        self.delete(
            &format!("/v1/conversations/{conversation}/members/{}", user.user_id),
            &actor.access,
        )
        .await
    }

    /// The conversation as `who` sees it.
    pub async fn conversation(&self, who: &Session, conversation: &str) -> Value {
        self.get(&format!("/v1/conversations/{conversation}"), &who.access)
            .await
            .expect(200)
            .data()
            .clone()
    }
}
