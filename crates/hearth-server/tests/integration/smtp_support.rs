//! A real SMTP server for tests: Python's aiosmtpd on a free loopback port
//! (`fixtures/smtp_sink.py`), which reports every mail it accepts as a line of JSON.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// The AUTH user the sink accepts.
pub const SMTP_USER: &str = "mailer";
/// The AUTH password the sink accepts.
pub const SMTP_PASSWORD: &str = "secret";

/// A running sink; killed on drop.
#[derive(Debug)]
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    lines: Lines<BufReader<ChildStdout>>,
    _child: Child,
}

impl SmtpSink {
    /// Starts the sink and waits until it listens.
    pub async fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/integration/fixtures/smtp_sink.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .args([SMTP_USER, SMTP_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs the SMTP sink (scripts/test installs aiosmtpd)");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP sink starts within 20 s (is aiosmtpd installed?)")
            .expect("the sink's output")
            .expect("the sink says it listens");
        let port = first
            .strip_prefix("listening ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the sink: {first}"));
        Self {
            port,
            lines,
            _child: child,
        }
    }

    /// The next mail the sink accepts (waits up to 20 s).
    pub async fn next_mail(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("a mail arrives within 20 s")
            .expect("the sink's output")
            .expect("the sink is still running");
        serde_json::from_str(&line).expect("the sink writes JSON")
    }
}

/// The value of `token` in the first link of `text` that has one.
pub fn token_in(text: &str) -> String {
    let start = text
        .find("token=")
        .expect("the mail has a link with a token")
        + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A server that mails through `sink` (plain SMTP on loopback, with AUTH).
pub async fn mailing_server(
    sink: &SmtpSink,
    adjust: impl FnOnce(&mut hearth_server::Config),
) -> crate::support::TestApp {
    let port = sink.port;
    crate::support::TestApp::spawn_with(move |config| {
        config.public_url = Some("https://chat.example.org/".to_owned());
        config.mail.from = "Hearth <noreply@chat.example.org>".to_owned();
        config.mail.smtp.host = Some("127.0.0.1".to_owned());
        config.mail.smtp.port = Some(port);
        config.mail.smtp.security = hearth_mail::SmtpSecurity::Plain;
        config.mail.smtp.username = Some(SMTP_USER.to_owned());
        config.mail.smtp.password = Some(SMTP_PASSWORD.to_owned());
        adjust(config);
    })
    .await
}
