-- 011: one row per inspection for the console's review queue: who, where, which container and
-- case, when submitted, its review state, and the words a supervisor searches by. Kept in step
-- with the inspection and its reviews as they arrive; filled once on upgrade.
CREATE TABLE inspection_rows (
    id            TEXT PRIMARY KEY,
    station       TEXT NOT NULL,
    officer       TEXT NOT NULL,
    container     TEXT NOT NULL,
    case_ref      TEXT,
    created_at    TEXT NOT NULL,
    submitted_at  TEXT,
    review_state  TEXT NOT NULL,
    findings      INTEGER NOT NULL,
    photos        INTEGER NOT NULL,
    seized_kg     REAL NOT NULL,
    substances    TEXT NOT NULL,
    search        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX inspection_rows_by_station ON inspection_rows(station, review_state, submitted_at);

INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index)
ON CONFLICT(key) DO NOTHING;
