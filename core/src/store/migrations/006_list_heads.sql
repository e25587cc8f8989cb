-- 006: the inspection list carries each document's heads, so "not yet synced" is answered from
-- the small projection and sync_state rows instead of the documents table (whose rows hold the
-- saved documents). Rebuilt from the documents.
ALTER TABLE inspections ADD COLUMN heads TEXT NOT NULL DEFAULT '';

INSERT INTO meta(key, value) VALUES ('reproject', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
