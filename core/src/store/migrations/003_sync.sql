-- 003: sync with the agency server. Per document: the server heads this device has merged, the
-- feed sequence of the server's last change, and the server's reason if it refused the document.
-- Photos remember when the server confirmed them.
CREATE TABLE sync_state (
    doc_id       TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    shared_heads TEXT NOT NULL DEFAULT '[]',
    seq          INTEGER NOT NULL DEFAULT 0,
    rejected     TEXT,
    rejected_at  TEXT
) WITHOUT ROWID;

ALTER TABLE blobs ADD COLUMN uploaded_at TEXT;
