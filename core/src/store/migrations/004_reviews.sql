-- 004: supervisor reviews. One row per review document; the inspection list carries the derived
-- review state (awaiting_review, returned, approved, changed_since_approval) so a supervisor's queue
-- and "changed since approval" show without loading documents. Rebuilt from the documents.
CREATE TABLE reviews (
    id             TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    inspection_id  TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    decision       TEXT NOT NULL,
    comment        TEXT NOT NULL,
    reviewed_heads TEXT NOT NULL,
    signature_ok   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reviews_by_inspection ON reviews(inspection_id, decided_at);

ALTER TABLE inspections ADD COLUMN review_state TEXT NOT NULL DEFAULT 'draft';

INSERT INTO meta(key, value) VALUES ('reproject', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
