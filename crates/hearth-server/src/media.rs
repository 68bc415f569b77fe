//! The background jobs of media: the one that deletes uploads never confirmed (blob, then
//! record), so a client that begins an upload and goes away leaves nothing behind for long;
//! and the thumbnail worker's pace (the worker is `ThumbnailService::run`).

use std::time::Duration;

use hearth_app::MediaService;
use tokio::task::JoinHandle;

/// How often the thumbnail worker looks for images other nodes made ready (this node's wake
/// it at once).
pub(crate) const THUMBNAIL_POLL: Duration = Duration::from_secs(30);

/// Most expired uploads deleted in one pass; a pass that deletes this many runs again at once.
const BATCH: u32 = 256;

/// Runs [`MediaService::sweep_expired`] every `interval` until the handle is aborted. A
/// failing pass (the store or the bucket is down) is logged and tried at the next tick.
pub(crate) fn sweep_in_background(media: MediaService, interval: Duration) -> JoinHandle<()> {
    tokio::spawn(hearth_store::in_background(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match media.sweep_expired(hearth_app::now(), BATCH).await {
                    Ok(deleted) if deleted == BATCH as usize => continue,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(cause = %err, "the sweep of expired uploads failed");
                        break;
                    }
                }
            }
        }
    }))
}
