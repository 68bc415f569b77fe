//! The MIME message both mailers send: multipart/alternative, plain text then HTML.

use hearth_app::{Mail, MailError};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

use crate::MailSetupError;

/// The configured sender.
pub(crate) fn parse_from(raw: &str) -> Result<Mailbox, MailSetupError> {
    raw.parse()
        .map_err(|err: lettre::address::AddressError| MailSetupError::From(err.to_string()))
}

/// `mail` from `from`, as lettre sends it.
pub(crate) fn build(from: &Mailbox, mail: Mail) -> Result<Message, MailError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|err| MailError(format!("the recipient is not an address: {err}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
        .map_err(|err| MailError(format!("the mail could not be built: {err}")))
}
