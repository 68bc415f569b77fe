-- Uploaded files (issue 20), as SQLite's migration 0010. A row is 'pending' from the upload's
-- start until its bytes were stored, measured and sniffed ('ready'); a pending row past
-- expires_at is deleted, with its blob, by the server's sweeper.
CREATE TABLE media (
    id            UUID        PRIMARY KEY,
    owner_id      UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- MediaStatus::as_str: 'pending' | 'ready'
    status        TEXT        NOT NULL,
    file_name     TEXT        NOT NULL,
    declared_size BIGINT,
    size          BIGINT,
    content_type  TEXT,
    storage_key   TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ,
    confirmed_at  TIMESTAMPTZ
);
CREATE INDEX media_pending_by_expiry ON media (expires_at) WHERE status = 'pending';
CREATE INDEX media_by_owner ON media (owner_id);
