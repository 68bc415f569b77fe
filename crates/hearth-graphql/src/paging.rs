//! `Conversation.messages(first, after)` as a Relay connection over the history use case.
//!
//! A cursor is opaque to clients: `seq:<n>` in URL-safe base64, the seq of the message it
//! follows. A cursor that does not decode is `bad_request`; everything else (membership,
//! history visibility, the 1–100 bound) is the use case's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hearth_app::{App, Caller, HistoryQuery, PublicError};
use hearth_domain::{ConversationId, Seq};
use hearth_proto::ErrorCode;
use serde_json::Value;

use crate::error::{error, refuse};
use crate::types::{GqlMessage, MessageConnection, MessageEdge, PageInfo};

/// Messages a page holds when `first` is not given.
pub(crate) const DEFAULT_FIRST: i32 = 50;

const PREFIX: &str = "seq:";

/// The cursor after the message at `seq`.
pub(crate) fn cursor(seq: Seq) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{seq}"))
}

/// The seq a cursor names.
fn decode(cursor: &str) -> async_graphql::Result<Seq> {
    URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(PREFIX)?.parse::<Seq>().ok())
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            refuse(
                ErrorCode::BadRequest,
                "after: not a cursor this server gave",
            )
        })
}

/// The use case names the fields of its history query (`limit`); the client gave `first`.
fn named_as_arguments(mut err: PublicError) -> PublicError {
    if let Some(Value::Object(details)) = &mut err.details
        && let Some(problem) = details.remove("limit")
    {
        details.insert("first".to_owned(), problem);
        err.message = err.message.replace("limit", "first");
    }
    err
}

/// One page of `conversation`'s messages for `caller`.
pub(crate) async fn page(
    app: &App,
    caller: Caller,
    conversation: ConversationId,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<MessageConnection> {
    let after_seq = after.as_deref().map(decode).transpose()?;
    let query = HistoryQuery {
        after_seq,
        before_seq: None,
        limit: Some(i64::from(first.unwrap_or(DEFAULT_FIRST))),
    };
    let page = app
        .messages
        .page(caller, conversation, query)
        .await
        .map_err(|err| error(named_as_arguments(PublicError::from(err))))?;
    let edges: Vec<MessageEdge> = page
        .messages
        .into_iter()
        .map(|message| MessageEdge {
            cursor: cursor(message.seq),
            node: GqlMessage::read(message, &page.markers, caller.user_id),
        })
        .collect();
    let end_cursor = edges.last().map(|edge| edge.cursor.clone());
    Ok(MessageConnection {
        edges,
        page_info: PageInfo {
            has_next_page: page.has_more,
            end_cursor,
        },
    })
}
