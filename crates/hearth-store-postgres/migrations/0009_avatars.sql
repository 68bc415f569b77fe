-- A profile picture's name (NULL: none): see hearth_domain::AvatarRef. The picture itself is
-- in the blob store under avatars/<user id>/<name>.
ALTER TABLE users ADD COLUMN avatar TEXT;
