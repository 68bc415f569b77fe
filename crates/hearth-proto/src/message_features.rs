//! Edits, threads and search on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::MessageDto;

/// `PATCH /v1/conversations/{id}/messages/{message_id}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageRequest {
    /// The new text, 1–4,000 characters. `@username` mentions a member.
    pub content: String,
}

/// `GET /v1/conversations/{id}/messages/{message_id}/thread`: a page of one thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadPage {
    /// The message that started the thread.
    pub root: MessageDto,
    /// Its replies, oldest first.
    pub messages: Vec<MessageDto>,
    /// Whether more replies lie beyond this page in the direction it was read.
    pub has_more: bool,
}

/// A piece of a search snippet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnippetPart {
    /// Text exactly as in the message.
    pub text: String,
    /// Whether this piece matched the query.
    pub highlight: bool,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SearchResult {
    /// The message as it is now.
    pub message: MessageDto,
    /// An excerpt around the matches, as pieces; the matches have `highlight: true`.
    pub snippet: Vec<SnippetPart>,
}

/// `GET …/messages/search`: matching messages, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SearchResults {
    /// The matches, newest first.
    pub results: Vec<SearchResult>,
    /// Pass as `cursor` to get the next (older) page; `null` when there is none.
    pub next_cursor: Option<String>,
    /// Whether more results follow.
    pub has_more: bool,
}
