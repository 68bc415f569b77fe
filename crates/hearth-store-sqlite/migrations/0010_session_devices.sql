-- The list of a user's sessions: what each device is called, and when and from where it last
-- got tokens (a sign-in or a refresh; access tokens are checked without the database, so a
-- session's "last used" is as fine as its refreshes).
ALTER TABLE sessions ADD COLUMN device_name TEXT NOT NULL DEFAULT 'Unknown device';
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER;
ALTER TABLE sessions ADD COLUMN last_ip TEXT;
UPDATE sessions SET last_used_at = created_at;
