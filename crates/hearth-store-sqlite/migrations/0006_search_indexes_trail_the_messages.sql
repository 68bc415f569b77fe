-- The full-text indexes trail the messages: a send no longer writes them in its own commit
-- (every commit added a segment to each index and rewrote their pages, a fifth of a send's
-- log); the writer indexes every message past `indexed_upto` in one pass, every few hundred
-- sends and before any search. Every message written before this migration was indexed at
-- its send.
CREATE TABLE search_index_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL
);
INSERT INTO search_index_state (id, indexed_upto)
    SELECT 1, coalesce(max(search_rowid), 0) FROM messages;
