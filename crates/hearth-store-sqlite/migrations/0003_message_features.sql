-- Message features: edits, tombstones, replies and threads, mentions, reactions and full-text
-- search. Additive only: every existing message becomes an unedited, undeleted message with
-- no thread, and is indexed for search.

-- Edits: when and how often. A message's content is replaced in place; no history is kept.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN edit_count INTEGER NOT NULL DEFAULT 0;
-- Tombstones: a deleted message keeps its row, seq and place; content becomes '' and
-- mentions '[]'.
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
-- SHA-256 of the content as first sent, stored when an edit or deletion replaces it, so that
-- a retry of the original send is still told from a different message with the same key.
ALTER TABLE messages ADD COLUMN sent_digest BLOB;
-- Replies: the message answered, and the root of the thread the reply belongs to.
ALTER TABLE messages ADD COLUMN reply_to BLOB REFERENCES messages (id);
ALTER TABLE messages ADD COLUMN thread_root_id BLOB REFERENCES messages (id);
-- On a root: whether it ever had a reply, its replies that are not deleted, and the time of
-- the latest of those. Kept by the writer in the transaction that sends or deletes a reply.
ALTER TABLE messages ADD COLUMN thread_started INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN thread_reply_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN thread_last_reply_at INTEGER;
-- The user ids the text mentions, as a JSON array of UUID strings.
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '[]';
-- This message's row in message_search. Assigned once, increasing, never reused (a deleted
-- message keeps it while its index row is removed), so search can page newest first by it.
ALTER TABLE messages ADD COLUMN search_rowid INTEGER;

CREATE INDEX messages_by_thread ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL;

CREATE TABLE message_reactions (
    message_id BLOB    NOT NULL REFERENCES messages (id),
    user_id    BLOB    NOT NULL REFERENCES users (id),
    emoji      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

-- Full-text search: porter stemming over Unicode word splitting, diacritics folded, for
-- words and phrases. The index keeps its own copy of each message's text (for snippets);
-- rows of deleted messages are removed.
CREATE VIRTUAL TABLE message_search USING fts5 (
    content,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- The same text without stemming, for prefix queries: porter stems a query prefix as if it
-- were a whole word ("deploy" becomes "deploi"), so `deploy*` against stems would miss
-- "deployment". Same rowids as message_search.
CREATE VIRTUAL TABLE message_words USING fts5 (
    content,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

UPDATE messages SET search_rowid = rowid;
INSERT INTO message_search (rowid, content) SELECT search_rowid, content FROM messages;
INSERT INTO message_words (rowid, content) SELECT search_rowid, content FROM messages;
CREATE UNIQUE INDEX messages_by_search_rowid ON messages (search_rowid);
