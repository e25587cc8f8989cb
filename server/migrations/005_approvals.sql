-- 005: the approval an inspection's "approved" state rests on, with its signature, so every export
-- row carries what is needed to verify it against the exact version approved. Kept in step with
-- the reviews as they arrive; filled once on upgrade.
CREATE TABLE approvals (
    inspection_id  TEXT PRIMARY KEY,
    reviewer       TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    comment        TEXT NOT NULL,
    reviewed_heads TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    signature      TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index)
ON CONFLICT(key) DO NOTHING;
