//! Thread counters on root messages, kept by the writer.

use hearth_store::StoreError;
use rusqlite::params;
use uuid::Uuid;

use crate::codec::store_error;
use crate::statements::execute;
use crate::tx::Tx;

/// Marks `root` as having a thread and recounts its replies that are not deleted (and the
/// time of the latest). Runs in the writer's transaction that sends or deletes a reply.
pub(crate) fn refresh_thread(tx: &Tx, root: Uuid) -> Result<(), StoreError> {
    execute(
        tx,
        "UPDATE messages SET thread_started = 1, \
             thread_reply_count = (SELECT count(*) FROM messages r \
                 WHERE r.thread_root_id = ?1 AND r.deleted_at IS NULL), \
             thread_last_reply_at = (SELECT max(r.created_at) FROM messages r \
                 WHERE r.thread_root_id = ?1 AND r.deleted_at IS NULL) \
         WHERE id = ?1",
        params![root],
    )
    .map_err(store_error)?;
    Ok(())
}
