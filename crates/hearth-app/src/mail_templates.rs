//! Every mail Hearth sends, in every language it speaks: the one place their words live.
//!
//! A [`Catalogue`] holds one language's strings; [`Locale::catalogue`] picks it. Adding a
//! language is adding a catalogue and a [`Locale`] variant. Templates fill in names and links
//! (HTML-escaped in the HTML part) and must never be given a password.

use crate::mail::Mail;

/// A language mails are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// English.
    #[default]
    English,
}

impl Locale {
    /// The strings of this language.
    pub(crate) fn catalogue(self) -> &'static Catalogue {
        match self {
            Self::English => &ENGLISH,
        }
    }
}

/// One language's words for every mail. `{name}`, `{link}` and `{minutes}` are filled in.
#[derive(Debug)]
pub(crate) struct Catalogue {
    greeting: &'static str,
    reset_subject: &'static str,
    reset_body: &'static str,
    reset_action: &'static str,
    reset_ignore: &'static str,
    changed_subject: &'static str,
    changed_body: &'static str,
    moved_subject: &'static str,
    moved_body: &'static str,
    verify_subject: &'static str,
    verify_body: &'static str,
    verify_action: &'static str,
    verify_ignore: &'static str,
    signature: &'static str,
}

static ENGLISH: Catalogue = Catalogue {
    greeting: "Hello {name},",
    reset_subject: "Reset your Hearth password",
    reset_body: "Someone (hopefully you) asked to reset the password of your Hearth account. \
                 The link below works once, for {minutes} minutes.",
    reset_action: "Choose a new password",
    reset_ignore: "If it was not you, ignore this mail: your password stays as it is.",
    changed_subject: "Your Hearth password was changed",
    changed_body: "The password of your Hearth account was just changed, and every other \
                   session was signed out. If it was not you, reset your password now and tell \
                   the operator of this server.",
    moved_subject: "Your Hearth e-mail address was changed",
    moved_body: "The e-mail address of your Hearth account was just changed to {address}; \
                 mails about the account go there from now on. If it was not you, tell the \
                 operator of this server now: whoever changed it knows your password.",
    verify_subject: "Confirm your e-mail address for Hearth",
    verify_body: "Please confirm that this is the address of your Hearth account. The link \
                  below works once, for {minutes} minutes.",
    verify_action: "Confirm my address",
    verify_ignore: "If you did not make a Hearth account, ignore this mail.",
    signature: "— Hearth",
};

fn fill(template: &str, name: &str, minutes: u64) -> String {
    template
        .replace("{name}", name)
        .replace("{minutes}", &minutes.to_string())
}

/// `&`, `<`, `>`, `"` and `'` escaped for HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mail of paragraphs with an optional call to action (a link).
fn compose(
    c: &Catalogue,
    to: &str,
    subject: &str,
    name: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> Mail {
    let greeting = fill(c.greeting, name, 0);
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\"><p>{}</p>",
        escape(&greeting)
    );
    for (i, paragraph) in paragraphs.iter().enumerate() {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
        if i == 0
            && let Some((label, link)) = action
        {
            text.push_str(&format!("{label}: {link}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                escape(link),
                escape(label)
            ));
        }
    }
    text.push_str(c.signature);
    text.push('\n');
    html.push_str(&format!("<p>{}</p></body></html>", escape(c.signature)));
    Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// The mail with a password-reset link.
pub(crate) fn password_reset(
    locale: Locale,
    to: &str,
    name: &str,
    link: &str,
    minutes: u64,
) -> Mail {
    let c = locale.catalogue();
    compose(
        c,
        to,
        c.reset_subject,
        name,
        &[fill(c.reset_body, name, minutes), c.reset_ignore.to_owned()],
        Some((c.reset_action, link)),
    )
}

/// The mail with a link that proves an e-mail address.
pub(crate) fn email_verification(
    locale: Locale,
    to: &str,
    name: &str,
    link: &str,
    minutes: u64,
) -> Mail {
    let c = locale.catalogue();
    compose(
        c,
        to,
        c.verify_subject,
        name,
        &[
            fill(c.verify_body, name, minutes),
            c.verify_ignore.to_owned(),
        ],
        Some((c.verify_action, link)),
    )
}

/// The notice that a password was changed.
pub(crate) fn password_changed(locale: Locale, to: &str, name: &str) -> Mail {
    let c = locale.catalogue();
    compose(
        c,
        to,
        c.changed_subject,
        name,
        &[fill(c.changed_body, name, 0)],
        None,
    )
}

/// The notice, to the address an account had, that it moved to `address`.
pub(crate) fn email_changed(locale: Locale, to: &str, name: &str, address: &str) -> Mail {
    let c = locale.catalogue();
    compose(
        c,
        to,
        c.moved_subject,
        name,
        &[fill(c.moved_body, name, 0).replace("{address}", address)],
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_mail_carries_the_link_in_both_parts_and_escapes_html() {
        let mail = password_reset(
            Locale::English,
            "a@example.org",
            "<Al & Co>",
            "https://h.example/reset-password?token=abc",
            30,
        );
        assert!(
            mail.text
                .contains("https://h.example/reset-password?token=abc")
        );
        assert!(mail.text.contains("30 minutes"));
        assert!(
            mail.html
                .contains("href=\"https://h.example/reset-password?token=abc\"")
        );
        assert!(mail.html.contains("&lt;Al &amp; Co&gt;"));
        assert!(!mail.html.contains("<Al"));
    }
}
