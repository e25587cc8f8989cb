-- 005: photos referenced by inspections that arrived from the server but whose files this device
-- does not have yet (a supervisor reviewing a colleague's evidence); sync downloads them.
CREATE TABLE wanted_photos (
    sha256        TEXT PRIMARY KEY,
    bytes         INTEGER NOT NULL,
    mime          TEXT NOT NULL,
    inspection_id TEXT NOT NULL
) WITHOUT ROWID;
