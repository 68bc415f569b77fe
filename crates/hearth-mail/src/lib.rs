//! Hearth's mailers, the adapters of [`hearth_app::Mailer`]: SMTP ([`SmtpMailer`], lettre,
//! with STARTTLS, implicit TLS, or plain for a relay on loopback, and optional AUTH) and the
//! zero-configuration default ([`FileMailer`]) that writes each mail as an `.eml` file under
//! `<data>/mail/` and logs its path, so that every flow that mails works on a laptop.
//!
//! Both build the same MIME message (multipart/alternative: plain text and HTML) with
//! lettre's builder. This crate must never log a mail's body (it carries single-use links) or
//! the SMTP password.

mod config;
mod file;
mod message;
mod smtp;

pub use config::{MailConfig, SmtpConfig, SmtpSecurity};
pub use file::FileMailer;
pub use smtp::SmtpMailer;

use std::path::Path;
use std::sync::Arc;

use hearth_app::Mailer;

/// Why a mailer could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    /// An address in the configuration is not an e-mail address.
    #[error("mail.from is not an e-mail address ({0})")]
    From(String),
    /// The SMTP relay could not be set up.
    #[error("mail.smtp: {0}")]
    Smtp(String),
}

/// The mailer `config` asks for: SMTP when `mail.smtp.host` is set, else `.eml` files under
/// `<data_dir>/mail/`.
pub fn from_config(
    config: &MailConfig,
    data_dir: &Path,
) -> Result<Arc<dyn Mailer>, MailSetupError> {
    let from = message::parse_from(&config.from)?;
    Ok(match &config.smtp.host {
        Some(_) => Arc::new(SmtpMailer::new(&config.smtp, from)?),
        None => Arc::new(FileMailer::new(data_dir.join("mail"), from)),
    })
}
