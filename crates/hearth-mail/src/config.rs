//! The `mail.*` part of the server's configuration.

use std::time::Duration;

use serde::Deserialize;

/// How Hearth sends mail.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The sender of every mail, `Name <address>` or an address (default
    /// `Hearth <hearth@localhost>`).
    pub from: String,
    /// Longest a mail's send may take before it is given up and counted as failed (seconds,
    /// default 30). Sending never holds a request.
    pub timeout_secs: u64,
    /// An SMTP relay; unset (default): mails are written as `.eml` files under `<data>/mail/`.
    pub smtp: SmtpConfig,
}

impl MailConfig {
    /// [`Self::timeout_secs`] as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "Hearth <hearth@localhost>".to_owned(),
            timeout_secs: 30,
            smtp: SmtpConfig::default(),
        }
    }
}

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (default; port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS at all: only for a relay on the same machine (port 25).
    Plain,
}

/// An SMTP relay.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Its host name; setting it turns SMTP on.
    pub host: Option<String>,
    /// Its port (default by security: 587, 465 or 25).
    pub port: Option<u16>,
    /// Transport security (`starttls`, `tls` or `plain`).
    pub security: SmtpSecurity,
    /// AUTH user name (unset: no AUTH).
    pub username: Option<String>,
    /// AUTH password (prefer `HEARTH_MAIL__SMTP__PASSWORD`).
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}
