//! The zero-configuration mailer: each mail becomes an `.eml` file in a directory.

use std::path::PathBuf;

use hearth_app::{Mail, MailError, Mailer};
use lettre::message::Mailbox;

use crate::message;

/// Writes each mail as `<dir>/<time-ordered id>.eml` (open it with any mail program) and logs
/// its path.
#[derive(Debug)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// A mailer writing into `dir` (created on first mail), as `from`.
    pub fn new(dir: PathBuf, from: Mailbox) -> Self {
        Self { dir, from }
    }

    /// The directory mails are written to.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

#[async_trait::async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = message::build(&self.from, mail)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|err| MailError(format!("cannot create {}: {err}", self.dir.display())))?;
        let path = self.dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
        // Written under a temporary name and renamed, so a reader never sees half a mail.
        let partial = path.with_extension("eml.partial");
        tokio::fs::write(&partial, message.formatted())
            .await
            .map_err(|err| MailError(format!("cannot write {}: {err}", partial.display())))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|err| MailError(format!("cannot write {}: {err}", path.display())))?;
        tracing::info!(path = %path.display(), "mail written (no SMTP relay is configured)");
        Ok(())
    }
}
