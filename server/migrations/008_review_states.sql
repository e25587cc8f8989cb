-- 008: seizure rows may carry every review state the code knows (changed_since_submission came
-- with version-bound reviews); the states are checked in code, not by a CHECK listing them.
CREATE TABLE seizure_rows_new (
    inspection_id      TEXT NOT NULL,
    finding_id         TEXT NOT NULL,
    station            TEXT NOT NULL,
    country            TEXT NOT NULL,
    container          TEXT NOT NULL,
    case_ref           TEXT,
    action             TEXT,
    modus_operandi     TEXT NOT NULL DEFAULT '',
    recorded_at        TEXT NOT NULL,
    day                TEXT NOT NULL,
    month              TEXT NOT NULL,
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
    case_items         INTEGER NOT NULL,
    case_kg            REAL NOT NULL,
    case_odp_tonnes    REAL NOT NULL,
    case_co2e_tonnes   REAL NOT NULL,
    review_state       TEXT NOT NULL,
    PRIMARY KEY (inspection_id, finding_id)
) WITHOUT ROWID;
INSERT INTO seizure_rows_new SELECT * FROM seizure_rows;
DROP TABLE seizure_rows;
ALTER TABLE seizure_rows_new RENAME TO seizure_rows;
CREATE INDEX seizure_rows_by_country ON seizure_rows(country, review_state, day);
CREATE INDEX seizure_rows_by_station ON seizure_rows(station, review_state, day);
CREATE INDEX seizure_rows_by_substance ON seizure_rows(substance, day);
CREATE INDEX seizure_rows_by_day ON seizure_rows(day);
