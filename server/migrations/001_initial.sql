-- 001: stations, users, enrolment, devices, documents with a change sequence for the feed, photos.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE stations (
    locode  TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    name    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'ozone_analyst', 'admin')),
    country    TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE user_stations (
    user_id INTEGER NOT NULL REFERENCES users(id),
    station TEXT NOT NULL REFERENCES stations(locode),
    PRIMARY KEY (user_id, station)
) WITHOUT ROWID;

CREATE TABLE enrol_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    actor       TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
) WITHOUT ROWID;

-- Tokens not bound to a device: administrators and analysts using the HTTP API.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
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

-- Which station a document belongs to, and the change sequence number of its last change.
CREATE TABLE doc_index (
    id      TEXT PRIMARY KEY REFERENCES documents(id),
    kind    TEXT NOT NULL,
    station TEXT NOT NULL,
    seq     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX doc_index_by_seq ON doc_index(seq);
CREATE INDEX doc_index_by_station_seq ON doc_index(station, seq);

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    bytes       INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    device_id   TEXT
) WITHOUT ROWID;
