-- 009: forms keep what the officer typed before it is saved (a draft survives the app being
-- killed), and a refused document keeps the server's code for the refusal beside its reason.
ALTER TABLE sync_state ADD COLUMN rejected_code TEXT;

CREATE TABLE drafts (
    form          TEXT PRIMARY KEY,
    inspection_id TEXT,
    based_on      TEXT NOT NULL DEFAULT '[]',
    fields        TEXT NOT NULL,
    saved_at      TEXT NOT NULL
) WITHOUT ROWID;
