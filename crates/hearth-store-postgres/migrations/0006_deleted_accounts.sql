-- A deleted account keeps its row (its old messages, as tombstones, and its memberships point
-- at it) with nothing of its person left: see AccountStore::erase_account.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;
