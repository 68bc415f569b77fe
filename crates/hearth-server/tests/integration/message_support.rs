//! Helpers for the message-feature suites: the paths of edits, deletions, reactions, threads
//! and search, spoken over HTTP like any client would.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Response, Session, TestApp};

/// Percent-encodes `text` for a path segment or a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The message-feature calls of a client.
#[allow(
    async_fn_in_trait,
    reason = "used only by these tests, never as dyn or across threads"
)]
pub trait MessageApi {
    /// `POST …/messages` with a `reply_to`.
    async fn reply(&self, who: &Session, dm: &str, key: &str, text: &str, to: &str) -> Response;
    /// `PATCH …/messages/{id}`.
    async fn edit(&self, who: &Session, dm: &str, id: &str, text: &str) -> Response;
    /// `DELETE …/messages/{id}`.
    async fn delete_message(&self, who: &Session, dm: &str, id: &str) -> Response;
    /// `GET …/messages/{id}`.
    async fn message(&self, who: &Session, dm: &str, id: &str) -> Response;
    /// `PUT …/messages/{id}/reactions/{emoji}`.
    async fn react(&self, who: &Session, dm: &str, id: &str, emoji: &str) -> Response;
    /// `DELETE …/messages/{id}/reactions/{emoji}`.
    async fn unreact(&self, who: &Session, dm: &str, id: &str, emoji: &str) -> Response;
    /// `GET …/messages?{query}`.
    async fn history(&self, who: &Session, dm: &str, query: &str) -> Response;
    /// Every change event of `who` from the start (all pages), per conversation id.
    async fn all_events(&self, who: &Session) -> Vec<(String, Value)>;
}

impl MessageApi for TestApp {
    async fn reply(&self, who: &Session, dm: &str, key: &str, text: &str, to: &str) -> Response {
        self.post(
            &format!("/v1/conversations/{dm}/messages"),
            &who.access,
            json!({ "client_message_id": key, "content": text, "reply_to": to }),
        )
        .await
    }

    async fn edit(&self, who: &Session, dm: &str, id: &str, text: &str) -> Response {
        self.request(
            Method::PATCH,
            &format!("/v1/conversations/{dm}/messages/{id}"),
            Some(&who.access),
            Some(json!({ "content": text })),
        )
        .await
    }

    async fn delete_message(&self, who: &Session, dm: &str, id: &str) -> Response {
        self.request(
            Method::DELETE,
            &format!("/v1/conversations/{dm}/messages/{id}"),
            Some(&who.access),
            None,
        )
        .await
    }

    async fn message(&self, who: &Session, dm: &str, id: &str) -> Response {
        self.get(
            &format!("/v1/conversations/{dm}/messages/{id}"),
            &who.access,
        )
        .await
    }

    async fn react(&self, who: &Session, dm: &str, id: &str, emoji: &str) -> Response {
        self.request(
            Method::PUT,
            &format!(
                "/v1/conversations/{dm}/messages/{id}/reactions/{}",
                encode(emoji)
            ),
            Some(&who.access),
            None,
        )
        .await
    }

    async fn unreact(&self, who: &Session, dm: &str, id: &str, emoji: &str) -> Response {
        self.request(
            Method::DELETE,
            &format!(
                "/v1/conversations/{dm}/messages/{id}/reactions/{}",
                encode(emoji)
            ),
            Some(&who.access),
            None,
        )
        .await
    }

    async fn history(&self, who: &Session, dm: &str, query: &str) -> Response {
        self.get(
            &format!("/v1/conversations/{dm}/messages?{query}"),
            &who.access,
        )
        .await
    }

    async fn all_events(&self, who: &Session) -> Vec<(String, Value)> {
        let mut cursors = serde_json::Map::new();
        let mut out = Vec::new();
        loop {
            let path = format!(
                "/v1/sync/changes?limit=100&after_seq_by_conversation={}",
                encode(&Value::Object(cursors.clone()).to_string())
            );
            let page = self.get(&path, &who.access).await.expect(200);
            for entry in page.data()["changes"].as_array().into_iter().flatten() {
                let id = entry["conversation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                for event in entry["events"].as_array().into_iter().flatten() {
                    cursors.insert(id.clone(), event["seq"].clone());
                    out.push((id.clone(), event.clone()));
                }
            }
            if page.data()["has_more"] != true {
                return out;
            }
        }
    }
}

/// The id of the message in an answer.
pub fn id_of(response: &Response) -> String {
    response.data()["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
