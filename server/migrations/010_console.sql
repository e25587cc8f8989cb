-- 010: the web console. A browser is enrolled like a phone (a one-time code, an Ed25519 key it
-- generated and never sends); `kind` tells the two apart. A console session is a random token in
-- an HttpOnly cookie, stored here only as its hash, bound to the browser's device row: revoking
-- the device ends its sessions at once. Sign-in again is by the browser's key answering a
-- one-time challenge.
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'phone';
CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX console_sessions_device ON console_sessions(device_id);
CREATE TABLE console_challenges (
    nonce_hash  TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    expires_at  TEXT NOT NULL
);
