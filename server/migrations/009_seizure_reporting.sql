-- 009: what a national ozone unit reports. Seizure rows carry the route, the parties, the HS
-- codes declared and seen, the legal basis, the cylinder type, tonnes, and figures that may be
-- unknown (an unidentified substance counts in kg, its ODP and CO2-eq marked unknown, never 0).
-- seizure_parts splits every seized item into the substances it is made of (a blend's
-- components, a measured composition, a polyol's HCFC content), so totals by Annex group are
-- right. A case changed since its approval keeps the figures of the version approved
-- (as_approved = 1). Both tables are rebuilt from the documents.
DROP TABLE seizure_rows;
CREATE TABLE seizure_rows (
    inspection_id       TEXT NOT NULL,
    finding_id          TEXT NOT NULL,
    station             TEXT NOT NULL,
    country             TEXT NOT NULL,
    container           TEXT NOT NULL,
    case_ref            TEXT,
    action              TEXT,
    modus_operandi      TEXT NOT NULL DEFAULT '',
    legal_basis         TEXT,
    recorded_at         TEXT NOT NULL,
    day                 TEXT NOT NULL,
    month               TEXT NOT NULL,
    year                TEXT NOT NULL,
    origin              TEXT,
    destination         TEXT,
    transit             TEXT NOT NULL DEFAULT '',
    consignor           TEXT,
    consignee           TEXT,
    declared_hs         TEXT,
    observed_hs         TEXT,
    -- A reference id, 'unknown', a name outside the reference, 'measured: ...' or 'unidentified'.
    substance           TEXT NOT NULL,
    -- measured, identified, declared, not_identified or not_recorded.
    basis               TEXT NOT NULL,
    declared_substance  TEXT,
    -- The distinct Montreal Protocol annex groups of what the item is made of.
    annex_group         TEXT,
    cylinder_type       TEXT,
    cylinders           INTEGER,
    quantity_kg         REAL NOT NULL,
    tonnes              REAL NOT NULL,
    -- Per kg; NULL when not known.
    odp                 REAL,
    gwp                 REAL,
    odp_tonnes          REAL NOT NULL,
    co2e_tonnes         REAL NOT NULL,
    odp_unknown_kg      REAL NOT NULL,
    gwp_unknown_kg      REAL NOT NULL,
    odp_source          TEXT NOT NULL,
    gwp_source          TEXT NOT NULL,
    case_items          INTEGER NOT NULL,
    case_kg             REAL NOT NULL,
    case_odp_tonnes     REAL NOT NULL,
    case_co2e_tonnes    REAL NOT NULL,
    case_odp_unknown_kg REAL NOT NULL,
    case_gwp_unknown_kg REAL NOT NULL,
    review_state        TEXT NOT NULL,
    as_approved         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (inspection_id, finding_id)
) WITHOUT ROWID;
CREATE INDEX seizure_rows_by_country ON seizure_rows(country, review_state, day);
CREATE INDEX seizure_rows_by_station ON seizure_rows(station, review_state, day);
CREATE INDEX seizure_rows_by_substance ON seizure_rows(substance, day);
CREATE INDEX seizure_rows_by_day ON seizure_rows(day);

CREATE TABLE seizure_parts (
    inspection_id  TEXT NOT NULL,
    finding_id     TEXT NOT NULL,
    part           INTEGER NOT NULL,
    -- What this part is: a reference id, 'air', 'unknown', a name outside the reference...
    substance      TEXT NOT NULL,
    -- ...and what the whole item is (a blend's id, for instance).
    item_substance TEXT NOT NULL,
    annex_group    TEXT,
    station        TEXT NOT NULL,
    country        TEXT NOT NULL,
    origin         TEXT,
    day            TEXT NOT NULL,
    month          TEXT NOT NULL,
    year           TEXT NOT NULL,
    action         TEXT,
    review_state   TEXT NOT NULL,
    kg             REAL NOT NULL,
    tonnes         REAL NOT NULL,
    -- NULL when not known.
    odp_tonnes     REAL,
    co2e_tonnes    REAL,
    PRIMARY KEY (inspection_id, finding_id, part)
) WITHOUT ROWID;
CREATE INDEX seizure_parts_by_country ON seizure_parts(country, review_state, day);
CREATE INDEX seizure_parts_by_station ON seizure_parts(station, review_state, day);

INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index)
ON CONFLICT(key) DO NOTHING;
