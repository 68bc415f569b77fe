-- Encryption at rest: the data keys, each sealed ("wrapped") by the operator's master key,
-- which is never stored here. Everything sealed names its key's id; the highest id seals.
CREATE TABLE data_keys (
    id         BIGINT      PRIMARY KEY,
    wrapped    BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
