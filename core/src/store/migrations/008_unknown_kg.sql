-- 008: the inspection list says how many kilograms its ODP-tonnes and CO2-eq tonnes leave out
-- (goods not identified, substances outside the reference), so a list never shows an unknown as
-- a zero; and measured components are searchable as substances. Rebuilt from the documents.
ALTER TABLE inspections ADD COLUMN odp_unknown_kg REAL NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN gwp_unknown_kg REAL NOT NULL DEFAULT 0;

INSERT INTO meta(key, value) VALUES ('reproject', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
