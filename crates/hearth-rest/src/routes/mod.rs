//! One module per resource of `/v1`, each with its own `router()`.

pub(crate) mod auth;
pub(crate) mod conversations;
pub(crate) mod messages;
pub(crate) mod sync;
pub(crate) mod users;
