-- Encryption at rest: the data keys, each sealed ("wrapped") by the operator's master key,
-- which is never stored here. Everything sealed names its key's id; the highest id seals.
CREATE TABLE data_keys (
    id         INTEGER PRIMARY KEY NOT NULL,
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
