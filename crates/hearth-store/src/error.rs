//! The one error type of every storage port.

/// Why a store operation failed, in domain terms. Adapters translate driver errors into these
/// variants; a caller never sees a driver type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a taken username, a reused idempotency key with other
    /// content). Names what clashed.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A row the operation relies on does not exist.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The database cannot serve now (busy, shutting down, disk full); retrying later may work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else the backend reported. The source carries the detail for the log.
    #[error("store backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend error.
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
}
