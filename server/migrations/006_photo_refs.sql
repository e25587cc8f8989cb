-- 006: which inspection references which photo, so a photo is served only to those who may read
-- an inspection that shows it. Filled once on upgrade.
CREATE TABLE photo_refs (
    sha256        TEXT NOT NULL,
    inspection_id TEXT NOT NULL,
    PRIMARY KEY (sha256, inspection_id)
) WITHOUT ROWID;
CREATE INDEX photo_refs_by_inspection ON photo_refs(inspection_id);

INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index)
ON CONFLICT(key) DO NOTHING;
