-- Files attached to messages (issue 20), as SQLite's migration 0013: up to ten per message, in
-- the order sent, written in the same transaction as the message; deleting a file's record
-- takes its attachments with it.
CREATE TABLE message_attachments (
    message_id UUID   NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    media_id   UUID   NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX message_attachments_by_media ON message_attachments (media_id);
