-- 002: search inspections by substance. Declared and identified substances are indexed per
-- inspection, and listed on the summary row. Both are filled from the documents: the store
-- rebuilds every projection after this migration (meta.reproject).
CREATE TABLE inspection_substances (
    inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    substance     TEXT NOT NULL,
    PRIMARY KEY (inspection_id, substance)
) WITHOUT ROWID;
CREATE INDEX inspection_substances_by_substance ON inspection_substances(substance, inspection_id);

ALTER TABLE inspections ADD COLUMN substances TEXT NOT NULL DEFAULT '';

INSERT INTO meta(key, value) VALUES ('reproject', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
