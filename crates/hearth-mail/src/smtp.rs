//! The SMTP mailer (lettre, on tokio, TLS by rustls).

use hearth_app::{Mail, MailError, Mailer};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{MailSetupError, SmtpConfig, SmtpSecurity, message};

/// Sends through an SMTP relay, keeping a small pool of connections.
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for the relay of `config`, as `from`.
    pub fn new(config: &SmtpConfig, from: Mailbox) -> Result<Self, MailSetupError> {
        let host = config
            .host
            .as_deref()
            .ok_or_else(|| MailSetupError::Smtp("host is not set".to_owned()))?;
        let setup = |err: lettre::transport::smtp::Error| MailSetupError::Smtp(err.to_string());
        let builder = match config.security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(setup)?
                .port(config.port.unwrap_or(587)),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(setup)?
                .port(config.port.unwrap_or(465)),
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(config.port.unwrap_or(25)),
        };
        let builder = match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            (None, None) => builder,
            _ => {
                return Err(MailSetupError::Smtp(
                    "username and password go together".to_owned(),
                ));
            }
        };
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = message::build(&self.from, mail)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|err| MailError(format!("the SMTP relay refused or failed: {err}")))
    }
}
