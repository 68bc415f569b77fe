-- A profile's about text (NULL: none), and the mark of a deleted account. A deleted account
-- keeps its row (its old messages, as tombstones, and its memberships point at it) with
-- nothing of its person left: see AccountStore::erase_account.
ALTER TABLE users ADD COLUMN about TEXT;
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
