-- The thumbnails made of an image upload, as a JSON list of {size, format, width, height,
-- bytes} (NULL: not made yet; []: none can be made). The bytes are blobs
-- thumbnails/<media id>/<size>.<jpg|png>. The index is the thumbnail worker's queue.
ALTER TABLE media ADD COLUMN thumbnails TEXT;
CREATE INDEX media_awaiting_thumbnails ON media (confirmed_at, id)
    WHERE status = 'ready' AND thumbnails IS NULL;
