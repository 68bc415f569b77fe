//! Who may use a file: its owner attaches it (once it is ready); a member of a conversation
//! holding a message with it may see and download it, under the history-visibility rule that
//! guards reading that message ([`Access::sees`](hearth_domain::Access::sees), applied to the
//! member's access as [`ConversationService::require_member`] gives it). A refusal is always
//! `NotFound`, as for a missing id, so that nobody learns which ids exist.
//!
//! This module never reads blobs and never writes: it only decides.

use std::collections::HashSet;

use hearth_domain::{Media, MediaId, MediaStatus, ValidationErrors};
use hearth_store::{DynStore, MediaRecord};

use crate::{AppError, Caller, ConversationService};

/// Media ids as a face received them (strings): a malformed one names no file, so it is
/// `NotFound("media")`, as a malformed id in a REST path.
pub fn parse_media_ids(raw: &[String]) -> Result<Vec<MediaId>, AppError> {
    raw.iter()
        .map(|id| id.trim().parse().map_err(|_| AppError::NotFound("media")))
        .collect()
}

/// The records of the files `ids` names for a message the caller sends, in order: each must
/// be the caller's own (else `NotFound("media")`) and ready (else 422 on `attachments`); at
/// most [`Media::MAX_PER_MESSAGE`], none twice. No ids: no lookup at all.
pub(crate) async fn attachable(
    store: &DynStore,
    caller: Caller,
    ids: &[MediaId],
) -> Result<Vec<Media>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > Media::MAX_PER_MESSAGE {
        return Err(ValidationErrors::field(
            "attachments",
            format!("must be at most {} files", Media::MAX_PER_MESSAGE),
        )
        .into());
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(ValidationErrors::field("attachments", "must not name a file twice").into());
    }
    let mut files = Vec::with_capacity(ids.len());
    for &id in ids {
        let file = match store.media(id).await? {
            Some(file) if file.owner_id == caller.user_id => file,
            _ => return Err(AppError::NotFound("media")),
        };
        if file.status != MediaStatus::Ready {
            return Err(ValidationErrors::field(
                "attachments",
                "must name uploads that are ready (confirmed)",
            )
            .into());
        }
        files.push(file);
    }
    Ok(files)
}

/// The record of `id` if the caller may see it: their own upload, or a ready file attached
/// to a message (not deleted) that they may read in a conversation they are a member of.
pub(crate) async fn visible(
    store: &DynStore,
    conversations: &ConversationService,
    caller: Caller,
    id: MediaId,
) -> Result<MediaRecord, AppError> {
    let record = store.media(id).await?.ok_or(AppError::NotFound("media"))?;
    if record.owner_id == caller.user_id {
        return Ok(record);
    }
    if record.status != MediaStatus::Ready {
        return Err(AppError::NotFound("media"));
    }
    for (conversation, seq) in store.attachment_places(id, caller.user_id).await? {
        match conversations.require_member(caller, conversation).await {
            Ok(access) if access.sees(seq) => return Ok(record),
            // Not visible there, or no longer a member since the lookup: try the next.
            Ok(_) | Err(AppError::Forbidden(_) | AppError::NotFound(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Err(AppError::NotFound("media"))
}
