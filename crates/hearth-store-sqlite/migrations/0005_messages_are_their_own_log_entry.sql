-- A new message is its own entry in the conversation log: the `messages` row carries the
-- seq, the sender (the actor) and the time, so the `new_message` row in
-- `conversation_events` repeated it. Writing it cost every send a page per conversation per
-- batch (a third of the WAL frames of a send). The log is now `conversation_events` (every
-- other kind) merged with `messages` by seq; both take their seq from the same counter, so
-- the two never share one.
DELETE FROM conversation_events WHERE kind = 'new_message';
