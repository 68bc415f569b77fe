-- Accounts: e-mail verification, disabling, and the single-use tokens that mails carry
-- (password reset, e-mail verification). Only SHA-256 hashes of those tokens are stored.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

CREATE TABLE account_tokens (
    token_hash TEXT        PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES users (id),
    -- TokenPurpose::as_str: 'password_reset' | 'email_verification'
    purpose    TEXT        NOT NULL,
    -- the address a verification token proves (NULL for a reset)
    email      TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);
-- "Sign out everywhere" (a password reset, a disabled account) finds a user's sessions.
CREATE INDEX sessions_by_user ON sessions (user_id);
