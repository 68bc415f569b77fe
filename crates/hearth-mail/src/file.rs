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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    #[tokio::test]
    async fn each_mail_becomes_one_complete_eml_file_with_both_parts() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(
            dir.path().join("mail"),
            "Hearth <hearth@localhost>".parse().unwrap(),
        );
        for n in 0..2 {
            mailer
                .send(Mail {
                    to: "a@example.org".to_owned(),
                    subject: format!("Hello {n}"),
                    text: "plain body".to_owned(),
                    html: "<p>html body</p>".to_owned(),
                })
                .await
                .unwrap();
        }
        let mut files: Vec<_> = std::fs::read_dir(mailer.dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        assert!(
            files
                .iter()
                .all(|f| f.extension().is_some_and(|e| e == "eml"))
        );
        let first = std::fs::read_to_string(&files[0]).unwrap();
        assert!(first.contains("Subject: Hello 0"), "{first}");
        assert!(first.contains("To: a@example.org"));
        assert!(first.contains("multipart/alternative"));
        assert!(first.contains("plain body") && first.contains("html body"));
    }

    #[tokio::test]
    async fn a_recipient_that_is_not_an_address_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(dir.path().to_owned(), "hearth@localhost".parse().unwrap());
        let sent = mailer
            .send(Mail {
                to: "not an address".to_owned(),
                subject: "x".to_owned(),
                text: "x".to_owned(),
                html: "x".to_owned(),
            })
            .await;
        assert!(sent.is_err());
    }
}
