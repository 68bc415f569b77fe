-- Presence: when each user was last connected (microseconds; NULL: never).
ALTER TABLE users ADD COLUMN last_seen_at INTEGER;
