-- 004: the seizure projection the ozone unit's exports read: one row per seized item (a finding
-- named in the inspection's seizure items), with its quantity valued in kg, ODP-tonnes and
-- CO2-eq tonnes from the reference data (with the GWP's source), the inspection's review state
-- and the totals of its whole case. Rewritten from the document whenever an inspection or one of
-- its reviews is stored (export::reproject_inspection); never edited on its own.
CREATE TABLE seizure_rows (
    inspection_id      TEXT NOT NULL,
    finding_id         TEXT NOT NULL,
    station            TEXT NOT NULL,
    -- ISO 3166 alpha-2 of the station (from stations; else the UN/LOCODE's first two letters).
    country            TEXT NOT NULL,
    container          TEXT NOT NULL,
    case_ref           TEXT,
    action             TEXT,
    modus_operandi     TEXT NOT NULL DEFAULT '',
    -- When the inspection was recorded (its created_at), its day (YYYY-MM-DD) and month (YYYY-MM).
    recorded_at        TEXT NOT NULL,
    day                TEXT NOT NULL,
    month              TEXT NOT NULL,
    -- Reference id of the substance (identified, else declared), or 'unidentified'.
    substance          TEXT NOT NULL,
    declared_substance TEXT,
    annex_group        TEXT,
    cylinders          INTEGER,
    quantity_kg        REAL NOT NULL,
    odp                REAL NOT NULL,
    gwp                REAL NOT NULL,
    odp_tonnes         REAL NOT NULL,
    co2e_tonnes        REAL NOT NULL,
    odp_source         TEXT NOT NULL,
    gwp_source         TEXT NOT NULL,
    -- The whole case (every seized item of the inspection), whatever a query filters.
    case_items         INTEGER NOT NULL,
    case_kg            REAL NOT NULL,
    case_odp_tonnes    REAL NOT NULL,
    case_co2e_tonnes   REAL NOT NULL,
    review_state       TEXT NOT NULL CHECK (review_state IN
        ('draft', 'awaiting_review', 'returned', 'approved', 'changed_since_approval')),
    PRIMARY KEY (inspection_id, finding_id)
) WITHOUT ROWID;

-- Every query is bounded by country (analysts) or station (supervisors), then by state and date.
CREATE INDEX seizure_rows_by_country ON seizure_rows(country, review_state, day);
CREATE INDEX seizure_rows_by_station ON seizure_rows(station, review_state, day);
CREATE INDEX seizure_rows_by_substance ON seizure_rows(substance, day);
CREATE INDEX seizure_rows_by_day ON seizure_rows(day);

-- A server that already holds documents fills the table from them on its next start.
INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index);
