-- Files attached to messages (issue 20): up to ten per message, in the order sent, written in
-- the same writer job as the message. Deleting a file's record (its owner's account deleted,
-- or the upload removed) takes its attachments with it. Reads join media for the file's
-- record, one batched query per page; downloads by a member look a file up by media_id.
CREATE TABLE message_attachments (
    message_id BLOB    NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    media_id   BLOB    NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, position)
) WITHOUT ROWID;
CREATE INDEX message_attachments_by_media ON message_attachments (media_id);
