//! Background work, told apart from requests in the store's figures.
//!
//! A node's background jobs (the feed of ended sessions, the poll of data keys) read the store
//! on a timer. Counted with the requests' reads, they would blur `hearth_store_reads_total`,
//! the figure that tells reads per request from reads per row. A job runs its work inside
//! [`in_background`]; the adapters count such reads under `work="background"`.

use std::future::Future;

tokio::task_local! {
    static BACKGROUND: ();
}

/// Runs `work` as background work (see the module docs).
pub async fn in_background<F: Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Whether the current task runs background work.
pub fn is_background() -> bool {
    BACKGROUND.try_with(|()| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_work_inside_in_background_is_background() {
        assert!(!is_background());
        assert!(in_background(async { is_background() }).await);
        assert!(!is_background(), "the scope ends with the work");
    }
}
