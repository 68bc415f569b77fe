-- Each node asks every second which sessions ended lately, so that a session ended by another
-- process (`hearth admin disable-user` on the same database) stops at once everywhere.
CREATE INDEX sessions_by_end ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
