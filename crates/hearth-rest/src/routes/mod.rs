//! One module per resource of `/v1`, each with its own `router()`.

pub(crate) mod account_data;
pub(crate) mod auth;
pub(crate) mod avatars;
pub(crate) mod conversations;
pub(crate) mod email_verification;
pub(crate) mod groups;
pub(crate) mod media;
pub(crate) mod media_download;
pub(crate) mod members;
pub(crate) mod message_changes;
pub(crate) mod messages;
pub(crate) mod passwords;
pub(crate) mod privacy;
pub(crate) mod reactions;
pub(crate) mod search;
pub(crate) mod sessions;
pub(crate) mod sign_in;
pub(crate) mod sync;
pub(crate) mod threads;
pub(crate) mod users;
