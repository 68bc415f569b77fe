-- Hearth's PostgreSQL schema, equivalent to the SQLite adapter's migrations 0001–0006.
-- Ids are UUIDs, times TIMESTAMPTZ (microseconds), permissions `Permissions::to_bits`.
-- Applied by migrations.rs in one transaction, under an advisory lock, and recorded in
-- hearth_migrations.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Full-text search: Snowball English stems without stop words (SQLite's porter tokenizer
-- drops none either), diacritics folded, for words and phrases; and the same words
-- unstemmed for prefixes (a stemmed prefix would miss: `deploy*` must find "deployment").
CREATE TEXT SEARCH DICTIONARY hearth_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION hearth_stems (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION hearth_stems
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
    WITH unaccent, hearth_english_stem;
CREATE TEXT SEARCH CONFIGURATION hearth_words (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION hearth_words
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
    WITH unaccent, simple;

CREATE TABLE users (
    id             UUID        PRIMARY KEY,
    username       TEXT        NOT NULL,
    display_name   TEXT        NOT NULL,
    email          TEXT,
    password_hash  TEXT        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ,
    -- Consent::as_str
    dm_privacy     TEXT        NOT NULL DEFAULT 'everyone',
    invite_privacy TEXT        NOT NULL DEFAULT 'everyone',
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_by_lower_email ON users (lower(email));
CREATE INDEX users_by_username_pattern ON users (username text_pattern_ops);

-- A session is the family of refresh tokens that descends from one login.
CREATE TABLE sessions (
    id         UUID        PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE refresh_tokens (
    id                   UUID        PRIMARY KEY,
    session_id           UUID        NOT NULL REFERENCES sessions (id),
    user_id              UUID        NOT NULL REFERENCES users (id),
    token_hash           TEXT        NOT NULL UNIQUE,
    issued_at            TIMESTAMPTZ NOT NULL,
    expires_at           TIMESTAMPTZ NOT NULL,
    revoked_at           TIMESTAMPTZ,
    replaced_by_token_id UUID
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

CREATE TABLE conversations (
    id                   UUID        PRIMARY KEY,
    kind                 TEXT        NOT NULL,
    created_by           UUID        NOT NULL REFERENCES users (id),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    last_message_id      UUID,
    last_message_preview TEXT,
    last_message_at      TIMESTAMPTZ,
    title                TEXT,
    description          TEXT        NOT NULL DEFAULT '',
    -- The case-folded title of a room or channel that is not deleted (NULL otherwise).
    public_name          TEXT,
    require_approval     BOOLEAN     NOT NULL DEFAULT false,
    -- HistoryVisibility::as_str
    history_visibility   TEXT        NOT NULL DEFAULT 'all',
    deleted_at           TIMESTAMPTZ,
    member_count         BIGINT      NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX conversations_by_public_name ON conversations (public_name)
    WHERE public_name IS NOT NULL;

-- The next seq of each conversation's log. Every write that logs an event takes its seq with
-- `UPDATE ... RETURNING` in its own transaction: the row lock serialises the writers of one
-- conversation across every node until commit, so seqs are gap-free and in commit order.
-- `open` turns false in the transaction that deletes the conversation, so a writer waiting on
-- the lock sees the deletion when it gets the row (PostgreSQL rechecks the WHERE on the new row).
CREATE TABLE conversation_counters (
    conversation_id UUID    PRIMARY KEY REFERENCES conversations (id),
    next_seq        BIGINT  NOT NULL,
    open            BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE conversation_members (
    conversation_id    UUID        NOT NULL REFERENCES conversations (id),
    user_id            UUID        NOT NULL REFERENCES users (id),
    role               TEXT        NOT NULL,
    permissions        BIGINT      NOT NULL DEFAULT 1,
    joined_at          TIMESTAMPTZ NOT NULL,
    joined_seq         BIGINT      NOT NULL,
    history_from       BIGINT      NOT NULL DEFAULT 0,
    last_read_seq      BIGINT      NOT NULL DEFAULT 0,
    last_delivered_seq BIGINT      NOT NULL DEFAULT 0,
    CONSTRAINT conversation_members_pkey PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members (user_id, conversation_id);
CREATE INDEX conversation_members_by_join ON conversation_members (conversation_id, joined_seq);

-- The seq of each user's first join, kept when they leave (member_join_date visibility).
CREATE TABLE member_first_joins (
    conversation_id UUID   NOT NULL REFERENCES conversations (id),
    user_id         UUID   NOT NULL REFERENCES users (id),
    seq             BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- At most one direct conversation per pair: the pair is stored ordered (low, high).
CREATE TABLE direct_conversations (
    user_low        UUID NOT NULL REFERENCES users (id),
    user_high       UUID NOT NULL REFERENCES users (id),
    conversation_id UUID NOT NULL UNIQUE REFERENCES conversations (id),
    CONSTRAINT direct_conversations_pkey PRIMARY KEY (user_low, user_high)
);

CREATE TABLE join_requests (
    conversation_id UUID        NOT NULL REFERENCES conversations (id),
    user_id         UUID        NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT join_requests_pkey PRIMARY KEY (conversation_id, user_id)
);

CREATE TABLE messages (
    id                   UUID        PRIMARY KEY,
    conversation_id      UUID        NOT NULL REFERENCES conversations (id),
    sender_id            UUID        NOT NULL REFERENCES users (id),
    client_message_id    TEXT        NOT NULL,
    seq                  BIGINT      NOT NULL,
    content              TEXT        NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    edited_at            TIMESTAMPTZ,
    edit_count           BIGINT      NOT NULL DEFAULT 0,
    -- A tombstone keeps its row, seq and place; content becomes '' and mentions empty.
    deleted_at           TIMESTAMPTZ,
    -- SHA-256 of the content as first sent, once an edit or deletion replaced it.
    sent_digest          BYTEA,
    reply_to             UUID        REFERENCES messages (id),
    thread_root_id       UUID        REFERENCES messages (id),
    thread_started       BOOLEAN     NOT NULL DEFAULT false,
    thread_reply_count   BIGINT      NOT NULL DEFAULT 0,
    thread_last_reply_at TIMESTAMPTZ,
    mentions             UUID[]      NOT NULL DEFAULT '{}',
    -- The message's place in search results: increasing, never reused; a search cursor.
    search_position      BIGINT      GENERATED ALWAYS AS IDENTITY,
    search_stems         TSVECTOR    GENERATED ALWAYS AS (to_tsvector('hearth_stems'::regconfig, content)) STORED,
    search_words         TSVECTOR    GENERATED ALWAYS AS (to_tsvector('hearth_words'::regconfig, content)) STORED,
    -- The idempotency key of a send; a concurrent retry waits on it for the first.
    CONSTRAINT messages_client_key UNIQUE (sender_id, client_message_id),
    CONSTRAINT messages_seq_key UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_by_thread ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL;
CREATE UNIQUE INDEX messages_by_search_position ON messages (search_position);
CREATE INDEX messages_search_stems ON messages USING GIN (search_stems);
CREATE INDEX messages_search_words ON messages USING GIN (search_words);

CREATE TABLE message_reactions (
    message_id UUID        NOT NULL REFERENCES messages (id),
    user_id    UUID        NOT NULL REFERENCES users (id),
    emoji      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
);

-- The conversation log, except new messages: a message row is its own `new_message` entry
-- (as in SQLite since its migration 0005); both take their seq from the same counter.
CREATE TABLE conversation_events (
    conversation_id UUID        NOT NULL REFERENCES conversations (id),
    seq             BIGINT      NOT NULL,
    kind            TEXT        NOT NULL,
    actor_id        UUID        NOT NULL REFERENCES users (id),
    message_id      UUID        REFERENCES messages (id),
    payload         TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE user_blocks (
    blocker_id UUID        NOT NULL REFERENCES users (id),
    blocked_id UUID        NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX user_blocks_by_blocked ON user_blocks (blocked_id, blocker_id);
