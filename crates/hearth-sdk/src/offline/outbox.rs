//! The durable outbox: sends written to the store first, then delivered in order, retried with
//! backoff across restarts, and reconciled by `client_message_id`.
//!
//! A send is one transaction: the message row (`pending`, shown at once) and its outbox row.
//! Delivery takes the oldest row only, so a conversation's sends reach the server in the
//! order they were written. A transient failure (no network, 5xx, 429) schedules the row
//! again after [`Backoff`]; a permanent one (403, 404, 409, 422, any other 4xx) marks the
//! message `failed` with the reason and takes it out of the queue until the user retries.
//! The answer — or a sync that brings the message first — reconciles the row by its key, so
//! a retry of a send that the server already has never makes a second message (the server
//! dedupes by the same key). This module never decides *when* to run: the engine does.

use std::future::Future;
use std::time::Duration;

use hearth_proto::{MessageDto, SendMessageRequest};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::apply::{me, now, upsert_message};
use super::store::{
    COLUMNS, LocalMessage, LocalStore, RawMessage, StoreError, raw_message, rfc3339,
};
use crate::ClientError;

/// How long to wait before the next attempt after `attempts` failed ones: doubling from
/// `base`, at most `max`.
///
/// ```
/// use std::time::Duration;
/// use hearth_sdk::offline::Backoff;
///
/// let backoff = Backoff { base: Duration::from_millis(500), max: Duration::from_secs(30) };
/// assert_eq!(backoff.delay(1), Duration::from_millis(500));
/// assert_eq!(backoff.delay(3), Duration::from_secs(2));
/// assert_eq!(backoff.delay(20), Duration::from_secs(30));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait after `attempts` (≥ 1) failed attempts.
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.base.saturating_mul(1 << doublings).min(self.max)
    }
}

/// What a failed delivery means for the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Worth another attempt later (no network, server error, rate limit).
    Retry(String),
    /// The server refused it for good: mark the message failed with this reason.
    Fail(String),
    /// The session is over: keep the row and stop until the user signs in again.
    Halt(String),
}

/// Sorts a delivery error into [`Disposition`]s.
pub fn disposition(error: &ClientError) -> Disposition {
    match error {
        ClientError::Api {
            status,
            code,
            message,
            ..
        } if (400..500).contains(status) && *status != 401 && *status != 408 && *status != 429 => {
            Disposition::Fail(format!("{}: {message}", code.as_str()))
        }
        ClientError::SessionExpired { .. } | ClientError::NotSignedIn => {
            Disposition::Halt(error.to_string())
        }
        other => Disposition::Retry(other.to_string()),
    }
}

/// A row of the outbox due for delivery.
#[derive(Clone, Debug)]
pub struct OutboxItem {
    /// Its position in the queue.
    pub id: i64,
    /// The conversation it goes to.
    pub conversation_id: Uuid,
    /// The request, as the REST API takes it.
    pub request: SendMessageRequest,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// What one delivery step did.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    /// Nothing is waiting.
    Idle,
    /// The oldest row waits for its backoff until this Unix time (milliseconds).
    WaitUntil(i64),
    /// The message was delivered and reconciled.
    Sent(LocalMessage),
    /// It failed and will be retried at this Unix time (milliseconds).
    Retrying {
        /// The send's key.
        client_message_id: String,
        /// The next attempt's Unix time (ms).
        at: i64,
    },
    /// The server refused it for good.
    Failed(LocalMessage),
    /// The session is over; the row stays.
    Halted(String),
}

impl LocalStore {
    /// Writes a send of `content` (in answer to `reply_to`) by the signed-in user: shown at
    /// once as `pending`, delivered by the outbox. Needs a bootstrap first (to know who
    /// "me" is).
    ///
    /// ```
    /// # fn demo(store: &hearth_sdk::offline::LocalStore, dm: uuid::Uuid)
    /// # -> Result<(), hearth_sdk::offline::StoreError> {
    /// use hearth_sdk::offline::LocalStatus;
    ///
    /// let pending = store.enqueue_send(dm, "on my way", None)?;
    /// assert_eq!(pending.status, LocalStatus::Pending);
    /// assert_eq!(pending.server_id, None);
    /// # Ok(()) }
    /// ```
    pub fn enqueue_send(
        &self,
        conversation: Uuid,
        content: &str,
        reply_to: Option<Uuid>,
    ) -> Result<LocalMessage, StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let me = me(&tx)?.ok_or_else(|| StoreError::Unavailable("not bootstrapped".into()))?;
        let client_message_id = Uuid::now_v7().to_string();
        let request = SendMessageRequest {
            client_message_id: client_message_id.clone(),
            content: content.to_owned(),
            reply_to,
            attachments: Vec::new(),
        };
        let payload =
            serde_json::to_string(&request).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.execute(
            "INSERT INTO messages (conversation_id, sender_id, client_message_id,
                                   local_created_at, content, status, reply_to)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
            params![
                conversation.to_string(),
                me.to_string(),
                client_message_id,
                rfc3339(now()),
                content,
                reply_to.map(|id| id.to_string()),
            ],
        )?;
        tx.execute(
            "INSERT INTO outbox (kind, conversation_id, client_message_id, payload_json,
                                 next_attempt_at)
             VALUES ('send_message', ?1, ?2, ?3, 0)",
            params![conversation.to_string(), client_message_id, payload],
        )?;
        let message = tx
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM messages WHERE sender_id = ?1 AND client_message_id = ?2"
                ),
                params![me.to_string(), client_message_id],
                raw_message,
            )
            .map_err(StoreError::from)
            .and_then(RawMessage::parse)?;
        tx.commit()?;
        Ok(message)
    }

    /// The oldest row of the outbox, whether due or not, with when it is due (Unix ms).
    pub fn next_outbox(&self) -> Result<Option<(OutboxItem, i64)>, StoreError> {
        let connection = self.lock();
        let row = connection
            .query_row(
                "SELECT id, conversation_id, payload_json, attempts, next_attempt_at
                   FROM outbox ORDER BY id LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, u32>(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, conversation, payload, attempts, due)| {
            Ok((
                OutboxItem {
                    id,
                    conversation_id: super::store::uuid(&conversation)?,
                    request: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(format!("outbox payload: {e}")))?,
                    attempts,
                },
                due,
            ))
        })
        .transpose()
    }

    /// How many rows wait in the outbox.
    pub fn outbox_len(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Makes every waiting row due now (the network is back: no reason to wait out a
    /// backoff that was about an outage).
    pub fn outbox_due_now(&self) -> Result<(), StoreError> {
        self.lock()
            .execute("UPDATE outbox SET next_attempt_at = 0", [])?;
        Ok(())
    }

    /// Reconciles a delivered send with the server's copy: `sent`, with its id, seq and
    /// time; out of the outbox. Idempotent (a sync may have done it already).
    pub fn reconcile(&self, message: &MessageDto) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let known: i64 = tx.query_row(
            "SELECT count(*) FROM conversations WHERE id = ?1",
            [message.conversation_id.to_string()],
            |row| row.get(0),
        )?;
        if known > 0 {
            upsert_message(&tx, message)?;
        }
        tx.execute(
            "DELETE FROM outbox WHERE client_message_id = ?1",
            [&message.client_message_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks a failed attempt to be tried again at `at` (Unix ms).
    pub fn schedule_retry(&self, id: i64, at: i64, error: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
              WHERE id = ?1",
            params![id, at, error],
        )?;
        Ok(())
    }

    /// Marks a send refused for good: the message `failed` with `reason`, the row out of
    /// the queue (so the sends after it go on).
    pub fn mark_failed(
        &self,
        client_message_id: &str,
        reason: &str,
    ) -> Result<Option<LocalMessage>, StoreError> {
        {
            let mut connection = self.lock();
            let tx = connection.transaction()?;
            tx.execute(
                "UPDATE messages SET status = 'failed', failure = ?2
                  WHERE client_message_id = ?1 AND status = 'pending'
                    AND sender_id = (SELECT value FROM meta WHERE key = 'me')",
                params![client_message_id, reason],
            )?;
            tx.execute(
                "DELETE FROM outbox WHERE client_message_id = ?1",
                [client_message_id],
            )?;
            tx.commit()?;
        }
        self.message_by_client_id(client_message_id)
    }

    /// Puts a failed send back in the queue (at its end), with the same key: the user's
    /// "retry". Returns the message, `pending` again, or `None` if there is no such failed
    /// send.
    pub fn retry(&self, client_message_id: &str) -> Result<Option<LocalMessage>, StoreError> {
        let Some(message) = self.message_by_client_id(client_message_id)? else {
            return Ok(None);
        };
        if message.status != super::LocalStatus::Failed {
            return Ok(None);
        }
        let request = SendMessageRequest {
            client_message_id: client_message_id.to_owned(),
            content: message.content.clone().unwrap_or_default(),
            reply_to: message.reply_to,
            attachments: Vec::new(),
        };
        let payload =
            serde_json::to_string(&request).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        {
            let mut connection = self.lock();
            let tx = connection.transaction()?;
            tx.execute(
                "UPDATE messages SET status = 'pending', failure = NULL WHERE local_id = ?1",
                [message.local_id],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO outbox (kind, conversation_id, client_message_id,
                                               payload_json, next_attempt_at)
                 VALUES ('send_message', ?1, ?2, ?3, 0)",
                params![
                    message.conversation_id.to_string(),
                    client_message_id,
                    payload
                ],
            )?;
            tx.commit()?;
        }
        self.message_by_client_id(client_message_id)
    }

    /// One delivery step at `now_ms` (Unix ms): takes the oldest row if it is due, hands it
    /// to `send` (which talks to the server), and records the outcome with `backoff`.
    ///
    /// ```no_run
    /// # async fn demo(store: &hearth_sdk::offline::LocalStore, client: &hearth_sdk::Client)
    /// # -> Result<(), hearth_sdk::offline::StoreError> {
    /// use hearth_sdk::offline::{Backoff, unix_ms};
    ///
    /// let step = store
    ///     .deliver_next(unix_ms(), Backoff::default(), |item| async move {
    ///         client.send(item.conversation_id, &item.request).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn deliver_next<F, Fut>(
        &self,
        now_ms: i64,
        backoff: Backoff,
        send: F,
    ) -> Result<Delivery, StoreError>
    where
        F: FnOnce(OutboxItem) -> Fut,
        Fut: Future<Output = Result<MessageDto, ClientError>>,
    {
        let Some((item, due)) = self.next_outbox()? else {
            return Ok(Delivery::Idle);
        };
        if due > now_ms {
            return Ok(Delivery::WaitUntil(due));
        }
        let (id, attempts) = (item.id, item.attempts);
        let client_message_id = item.request.client_message_id.clone();
        match send(item).await {
            Ok(message) => {
                self.reconcile(&message)?;
                let local = self.message_by_client_id(&client_message_id)?;
                Ok(local.map_or(Delivery::Idle, Delivery::Sent))
            }
            Err(error) => match disposition(&error) {
                Disposition::Retry(reason) => {
                    let delay = backoff.delay(attempts + 1);
                    let at = now_ms + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                    tracing::debug!(attempts = attempts + 1, delay_ms = %delay.as_millis(), %reason, "send failed; retrying later");
                    self.schedule_retry(id, at, &reason)?;
                    Ok(Delivery::Retrying {
                        client_message_id,
                        at,
                    })
                }
                Disposition::Fail(reason) => {
                    tracing::info!(%reason, "send refused by the server; marked failed");
                    let failed = self.mark_failed(&client_message_id, &reason)?;
                    Ok(failed.map_or(Delivery::Idle, Delivery::Failed))
                }
                Disposition::Halt(reason) => Ok(Delivery::Halted(reason)),
            },
        }
    }
}
