//! Sync: the bootstrap a fresh client starts from, and the changes after its cursors.

use std::collections::HashMap;

use hearth_proto::{Bootstrap, Changes};
use reqwest::Method;
use uuid::Uuid;

use crate::client::{Auth, Call};
use crate::{Client, ClientError};

impl Client {
    /// `GET /v1/sync/bootstrap`: the caller, their conversations and each one's latest
    /// messages. Each conversation's `last_seq` is the cursor for [`changes`](Self::changes).
    pub async fn bootstrap(&self) -> Result<Bootstrap, ClientError> {
        self.execute(Call::new(
            Method::GET,
            &["v1", "sync", "bootstrap"],
            Auth::Bearer,
        ))
        .await
    }

    /// `GET /v1/sync/changes`: the log events of each of the caller's conversations after
    /// its cursor (a conversation not named is returned from the start), at most `limit`
    /// (1–100) per conversation.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// use std::collections::HashMap;
    ///
    /// let boot = alice.bootstrap().await?;
    /// let cursors: HashMap<_, _> = boot.conversations.iter().map(|c| (c.id, c.last_seq)).collect();
    /// let news = alice.changes(&cursors, 100).await?;
    /// # Ok(()) }
    /// ```
    pub async fn changes(
        &self,
        cursors: &HashMap<Uuid, i64>,
        limit: u32,
    ) -> Result<Changes, ClientError> {
        let json =
            serde_json::to_string(cursors).map_err(|e| ClientError::Decode(e.to_string()))?;
        let call = Call::new(Method::GET, &["v1", "sync", "changes"], Auth::Bearer)
            .query("after_seq_by_conversation", Some(json))
            .query("limit", Some(limit));
        self.execute(call).await
    }
}
