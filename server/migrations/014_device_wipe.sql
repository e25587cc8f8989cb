-- 014: revocation with wipe. An administrator may revoke a phone and order it wiped: until the
-- phone confirms (`wiped_at`), its token may still push what it recorded (never pull), and the
-- feed tells it to wipe; after, the token is refused like any revoked one.
ALTER TABLE devices ADD COLUMN wipe_requested_at TEXT;
ALTER TABLE devices ADD COLUMN wiped_at TEXT;
