-- Sign-in through external identity providers (OpenID Connect, OAuth 2.0).

-- An account's link to one provider's subject; an account has at most one per provider.
CREATE TABLE external_identities (
    provider  TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    user_id   BLOB    NOT NULL REFERENCES users (id),
    email     TEXT,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX external_identities_of_user ON external_identities (user_id, provider);

-- A sign-in or link under way: found by the hash of its `state`, taken once by the callback.
CREATE TABLE sign_in_flows (
    state_hash    TEXT    PRIMARY KEY NOT NULL,
    provider      TEXT    NOT NULL,
    browser_hash  TEXT    NOT NULL,
    nonce         TEXT    NOT NULL,
    pkce_verifier TEXT    NOT NULL,
    link_to       BLOB    REFERENCES users (id),
    return_to     TEXT,
    expires_at    INTEGER NOT NULL
);

-- A finished sign-in waiting for the client to trade its one-time code for a session.
CREATE TABLE sign_in_handoffs (
    code_hash  TEXT    PRIMARY KEY NOT NULL,
    user_id    BLOB    NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL
);
