//! The use cases' share of the server configuration.

use std::time::Duration;

/// What the use cases need from the configuration.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Tokens and sessions.
    pub auth: AuthSettings,
    /// Rate limits.
    pub limits: LimitSettings,
    /// Typing indicators.
    pub typing: crate::realtime::TypingSettings,
    /// Message rules.
    pub messages: MessageSettings,
    /// Account mails: links, lifetimes, language.
    pub accounts: AccountSettings,
}

/// What account mails need: where their links point, how long they work, their language.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// The web client's address, without a trailing slash; mailed links start with it.
    pub public_url: String,
    /// How long a password-reset link works.
    pub password_reset_ttl: Duration,
    /// How long an e-mail verification link works.
    pub email_verification_ttl: Duration,
    /// Whether an account must prove its e-mail address before it may sign in.
    pub require_email_verification: bool,
    /// The language of mails.
    pub locale: crate::Locale,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".to_owned(),
            password_reset_ttl: Duration::from_secs(30 * 60),
            email_verification_ttl: Duration::from_secs(24 * 3600),
            require_email_verification: false,
            locale: crate::Locale::English,
        }
    }
}

/// Rules about messages.
#[derive(Clone, Copy, Debug)]
pub struct MessageSettings {
    /// How long after sending its author may edit a message (`None`: no limit).
    pub edit_window: Option<Duration>,
}

impl MessageSettings {
    /// The default edit window: 48 hours, long enough to fix a typo found the next day, short
    /// enough that a conversation's history settles.
    pub const DEFAULT_EDIT_WINDOW: Duration = Duration::from_secs(48 * 3600);
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            edit_window: Some(Self::DEFAULT_EDIT_WINDOW),
        }
    }
}

/// Token lifetimes.
#[derive(Clone, Copy, Debug)]
pub struct AuthSettings {
    /// How long an access token works.
    pub access_token_ttl: Duration,
    /// How long a refresh token works if unused.
    pub refresh_token_ttl: Duration,
    /// How long after a rotation the rotated token may be presented again (a retry whose
    /// response was lost) and still buy a pair, instead of revoking the session.
    pub refresh_reuse_grace: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_reuse_grace: Duration::from_secs(10),
        }
    }
}

/// Rate limits, per minute. Each allows a burst of its full minute's quota.
#[derive(Clone, Copy, Debug)]
pub struct LimitSettings {
    /// Register / login / refresh attempts per client IP.
    pub auth_per_ip_per_minute: u32,
    /// Register / login / refresh attempts per username.
    pub auth_per_username_per_minute: u32,
    /// Mails (password reset, verification) asked for per account name or address: a
    /// burst of this many, then one every minute / this.
    pub mails_per_account_per_minute: u32,
    /// Messages sent per user, across every face.
    pub sends_per_user_per_minute: u32,
    /// Conversation changes (create, join, leave, members, roles, settings) per user.
    pub conversation_changes_per_user_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            auth_per_ip_per_minute: 30,
            auth_per_username_per_minute: 10,
            mails_per_account_per_minute: 2,
            sends_per_user_per_minute: 30,
            conversation_changes_per_user_per_minute: 30,
        }
    }
}
