-- Secrets every node shares (the access-token signing key): the first start stores one, every
-- later start reads it.
CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
