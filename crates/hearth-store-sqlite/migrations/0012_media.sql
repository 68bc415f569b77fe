-- Uploaded files (issue 20). A row is 'pending' from the upload's start until its bytes were
-- stored, measured and sniffed ('ready'); a pending row past expires_at is deleted, with its
-- blob, by the server's sweeper. The bytes live in the blob store under storage_key.
CREATE TABLE media (
    id            BLOB    PRIMARY KEY NOT NULL,
    owner_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- MediaStatus::as_str: 'pending' | 'ready'
    status        TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    declared_size INTEGER,
    size          INTEGER,
    content_type  TEXT,
    storage_key   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    confirmed_at  INTEGER
);
-- The sweeper's scan: pending rows by expiry.
CREATE INDEX media_pending_by_expiry ON media (expires_at) WHERE status = 'pending';
CREATE INDEX media_by_owner ON media (owner_id);
