-- Secrets every node shares (the access-token signing key): the first node stores one, every
-- other node and every restart reads it.
CREATE TABLE secrets (
    name       TEXT        PRIMARY KEY,
    value      BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
