-- Groups, public rooms and channels, roles and permissions, settings, join requests, history
-- visibility, privacy and blocking. Additive only: every existing conversation is a direct one
-- (no title, history visible from the start), every existing member an ordinary member who
-- may post and joined at seq 1, every user accepts everyone. See NOTES.md.

-- Settings. `title` is NULL for a direct conversation. `public_name` is the case-folded
-- title of a room or channel (NULL for every other kind and once deleted): its unique index
-- makes public names unique case-insensitively, and discovery searches and pages by it.
ALTER TABLE conversations ADD COLUMN title TEXT;
ALTER TABLE conversations ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN public_name TEXT;
ALTER TABLE conversations ADD COLUMN require_approval INTEGER NOT NULL DEFAULT 0;
-- 'all', 'member_join_date' or 'none' (HistoryVisibility::as_str).
ALTER TABLE conversations ADD COLUMN history_visibility TEXT NOT NULL DEFAULT 'all';
-- Set when the owner deletes it; a deleted conversation has no members and is never read.
ALTER TABLE conversations ADD COLUMN deleted_at INTEGER;
-- How many rows of conversation_members it has, kept by every write that adds or removes one.
ALTER TABLE conversations ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;

UPDATE conversations SET member_count =
    (SELECT count(*) FROM conversation_members m WHERE m.conversation_id = conversations.id);
CREATE UNIQUE INDEX conversations_by_public_name ON conversations (public_name)
    WHERE public_name IS NOT NULL;

-- Permissions::to_bits (1 = can_send_messages only). Owners and admins hold every permission
-- whatever the bits say.
ALTER TABLE conversation_members ADD COLUMN permissions INTEGER NOT NULL DEFAULT 1;
-- The seq of the event that made this row (their latest join); creation members join at 1.
ALTER TABLE conversation_members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 1;
-- The first seq the member sees: HistoryVisibility::visible_from(first join, latest join),
-- set at the join and recomputed when the conversation's history visibility changes.
ALTER TABLE conversation_members ADD COLUMN history_from INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversation_members_by_join ON conversation_members (conversation_id, joined_seq);

-- The seq of each user's first join to a conversation, kept when they leave, so that
-- `member_join_date` visibility still starts there when they come back.
CREATE TABLE member_first_joins (
    conversation_id BLOB    NOT NULL REFERENCES conversations (id),
    user_id         BLOB    NOT NULL REFERENCES users (id),
    seq             INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
INSERT INTO member_first_joins (conversation_id, user_id, seq)
    SELECT conversation_id, user_id, 1 FROM conversation_members;

-- Pending requests to join a conversation that requires approval.
CREATE TABLE join_requests (
    conversation_id BLOB    NOT NULL REFERENCES conversations (id),
    user_id         BLOB    NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;

-- Privacy: 'everyone', 'shared_conversations' or 'nobody' (Consent::as_str).
ALTER TABLE users ADD COLUMN dm_privacy TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE users ADD COLUMN invite_privacy TEXT NOT NULL DEFAULT 'everyone';
-- Looking a user up by e-mail compares case-insensitively.
CREATE INDEX users_by_lower_email ON users (lower(email));

-- Who blocked whom. Read both ways: "whom did I block" by the key, "who blocked me" by the
-- index.
CREATE TABLE user_blocks (
    blocker_id BLOB    NOT NULL REFERENCES users (id),
    blocked_id BLOB    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX user_blocks_by_blocked ON user_blocks (blocked_id, blocker_id);
