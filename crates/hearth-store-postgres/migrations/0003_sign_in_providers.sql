-- Sign-in through external identity providers (OpenID Connect, OAuth 2.0); the same tables as
-- SQLite's 0008.

CREATE TABLE external_identities (
    provider  TEXT        NOT NULL,
    subject   TEXT        NOT NULL,
    user_id   UUID        NOT NULL REFERENCES users (id),
    email     TEXT,
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX external_identities_of_user ON external_identities (user_id, provider);

CREATE TABLE sign_in_flows (
    state_hash    TEXT        PRIMARY KEY,
    provider      TEXT        NOT NULL,
    browser_hash  TEXT        NOT NULL,
    nonce         TEXT        NOT NULL,
    pkce_verifier TEXT        NOT NULL,
    link_to       UUID        REFERENCES users (id),
    return_to     TEXT,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sign_in_handoffs (
    code_hash  TEXT        PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES users (id),
    expires_at TIMESTAMPTZ NOT NULL
);
