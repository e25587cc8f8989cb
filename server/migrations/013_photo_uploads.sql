-- 013: resumable photo uploads whose bytes go to object storage keep their progress here, not in
-- one instance's memory or disk, so consecutive chunks may reach different server instances.
-- `hash_state` is the SHA-256 state after `received` bytes (the finished photo is checked against
-- its name before it becomes readable); `tail` holds received bytes not yet sent to the store as
-- a part (every part but the last must be at least 5 MiB); `etags` lists the parts sent, in order;
-- `finishing_until` is the lease of the one request finishing the upload.
CREATE TABLE photo_uploads (
    device TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    total INTEGER NOT NULL,
    received INTEGER NOT NULL,
    multipart_id TEXT,
    etags TEXT NOT NULL,
    hash_state BLOB NOT NULL,
    tail BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    finishing_until TEXT,
    PRIMARY KEY (device, sha256)
);
