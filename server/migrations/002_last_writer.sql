-- 002: remember which device wrote a document's last change, so the feed does not send a device
-- its own writes back (it already has them).
ALTER TABLE doc_index ADD COLUMN device_id TEXT;
