//! The mailer port, and the outbox that sends through it off the request path.
//!
//! A use case hands a [`Mail`] to the [`Outbox`] and returns at once: the outbox sends it on a
//! task of its own, bounded by a timeout, so a slow or dead SMTP server never holds a request
//! — and a request's answer (and its timing) never tells whether a mail was sent, failed, or
//! was not needed because the account does not exist. Failures are logged and counted
//! (`hearth_mail_failures_total`), never returned. This module must never put a password, or a
//! token outside the mail's own body, in a log line.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One message to one recipient, in plain text and HTML (sent as multipart/alternative).
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

impl fmt::Debug for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bodies carry single-use links: keep them out of debug output and logs.
        f.debug_struct("Mail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// Sends mail. Adapters: SMTP, and files in the data directory (`hearth-mail`).
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + fmt::Debug {
    /// Sends one mail; `Err` when it was not accepted.
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

/// Hands mails to the mailer on tasks of their own, each bounded by a timeout.
#[derive(Clone, Debug)]
pub struct Outbox {
    mailer: Arc<dyn Mailer>,
    timeout: Duration,
}

impl Outbox {
    /// Longest a send may take by default before it is given up.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// An outbox sending through `mailer`, giving each send up after `timeout`.
    pub fn new(mailer: Arc<dyn Mailer>, timeout: Duration) -> Self {
        Self { mailer, timeout }
    }

    /// Queues `mail` and returns at once; `purpose` names it in logs and metrics.
    pub fn post(&self, mail: Mail, purpose: &'static str) {
        let mailer = self.mailer.clone();
        let timeout = self.timeout;
        tokio::spawn(async move {
            let outcome = tokio::time::timeout(timeout, mailer.send(mail)).await;
            let failure = match outcome {
                Ok(Ok(())) => {
                    metrics::counter!("hearth_mail_sent_total", "purpose" => purpose).increment(1);
                    tracing::info!(purpose, "mail sent");
                    return;
                }
                Ok(Err(err)) => err.0,
                Err(_) => format!("no answer within {} s", timeout.as_secs()),
            };
            metrics::counter!("hearth_mail_failures_total", "purpose" => purpose).increment(1);
            tracing::warn!(purpose, error = %failure, "a mail could not be sent");
        });
    }
}
