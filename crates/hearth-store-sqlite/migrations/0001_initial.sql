-- Hearth's first schema. Timestamps are INTEGER microseconds since the Unix epoch (UTC);
-- ids are 16-byte UUID BLOBs. See migrations/NOTES.md.

CREATE TABLE users (
    id            BLOB    PRIMARY KEY NOT NULL,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    email         TEXT    UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- A session is the family of refresh tokens that descends from one login.
CREATE TABLE sessions (
    id         BLOB    PRIMARY KEY NOT NULL,
    user_id    BLOB    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE refresh_tokens (
    id                   BLOB    PRIMARY KEY NOT NULL,
    session_id           BLOB    NOT NULL REFERENCES sessions (id),
    user_id              BLOB    NOT NULL REFERENCES users (id),
    token_hash           TEXT    NOT NULL UNIQUE,
    issued_at            INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    revoked_at           INTEGER,
    replaced_by_token_id BLOB
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

CREATE TABLE conversations (
    id                   BLOB    PRIMARY KEY NOT NULL,
    kind                 TEXT    NOT NULL,
    created_by           BLOB    NOT NULL REFERENCES users (id),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_message_id      BLOB,
    last_message_preview TEXT,
    last_message_at      INTEGER
);

-- Seed 000: the next seq of each conversation's log, advanced in the transaction that uses it.
CREATE TABLE conversation_counters (
    conversation_id BLOB    PRIMARY KEY NOT NULL REFERENCES conversations (id),
    next_seq        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE conversation_members (
    conversation_id    BLOB    NOT NULL REFERENCES conversations (id),
    user_id            BLOB    NOT NULL REFERENCES users (id),
    role               TEXT    NOT NULL,
    joined_at          INTEGER NOT NULL,
    last_read_seq      INTEGER NOT NULL DEFAULT 0,
    last_delivered_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
CREATE INDEX conversation_members_by_user ON conversation_members (user_id, conversation_id);

-- At most one direct conversation per pair: the pair is stored ordered (low, high).
CREATE TABLE direct_conversations (
    user_low        BLOB NOT NULL REFERENCES users (id),
    user_high       BLOB NOT NULL REFERENCES users (id),
    conversation_id BLOB NOT NULL UNIQUE REFERENCES conversations (id),
    PRIMARY KEY (user_low, user_high)
) WITHOUT ROWID;

CREATE TABLE messages (
    id                BLOB    PRIMARY KEY NOT NULL,
    conversation_id   BLOB    NOT NULL REFERENCES conversations (id),
    sender_id         BLOB    NOT NULL REFERENCES users (id),
    client_message_id TEXT    NOT NULL,
    seq               INTEGER NOT NULL,
    content           TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (sender_id, client_message_id),
    UNIQUE (conversation_id, seq)
);

-- The conversation log: every change a client must apply, numbered by seq.
CREATE TABLE conversation_events (
    conversation_id BLOB    NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    actor_id        BLOB    NOT NULL REFERENCES users (id),
    message_id      BLOB    REFERENCES messages (id),
    payload         TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
