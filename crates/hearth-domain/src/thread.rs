//! Threads: a root message and the replies that answer it or each other.
//!
//! A reply names the message it answers (`reply_to`, any message of the conversation). Every
//! reply belongs to the thread of the root it descends from, so threads are one level deep, as
//! in Slack or Matrix, while a reply still records exactly which message it answered.

use serde::{Deserialize, Serialize};

use crate::{MessageId, Timestamp};

/// A thread as it is now. Carried by the root and by every reply, so that any copy of a
/// message a client receives brings the thread's counters up to date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// The message that started the thread.
    pub root_id: MessageId,
    /// Replies that are not deleted.
    pub reply_count: u32,
    /// When the latest reply that is not deleted was sent (`None`: none left).
    pub last_reply_at: Option<Timestamp>,
}
