-- 001: device identity, documents (a full save plus appended incremental saves), the inspection
-- list projection and the photo index.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    snapshot   BLOB NOT NULL,
    chunks     INTEGER NOT NULL DEFAULT 0,
    heads      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE document_chunks (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;

CREATE TABLE inspections (
    id               TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    station          TEXT NOT NULL,
    officer          TEXT NOT NULL,
    container_number TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finding_count    INTEGER NOT NULL,
    photo_count      INTEGER NOT NULL,
    total_kg         REAL NOT NULL,
    odp_tonnes       REAL NOT NULL,
    co2e_tonnes      REAL NOT NULL,
    flag_count       INTEGER NOT NULL,
    conflict_count   INTEGER NOT NULL,
    seizure_action   TEXT
);
CREATE INDEX inspections_by_created ON inspections(created_at);
CREATE INDEX inspections_by_container ON inspections(container_number);
CREATE INDEX inspections_by_station_status ON inspections(station, status, created_at);

CREATE TABLE blobs (
    sha256   TEXT PRIMARY KEY,
    bytes    INTEGER NOT NULL,
    mime     TEXT NOT NULL,
    added_at TEXT NOT NULL
) WITHOUT ROWID;
