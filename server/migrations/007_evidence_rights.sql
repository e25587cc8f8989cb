-- 007: evidence rights. Read rights to photos come only from facts the server verified. A grant names a photo
-- and an inspection: recorded when a device that may write an inspection referencing the photo
-- uploads its bytes (the server hashed them), or pushes a reference to a photo it may already
-- read. Photos stored before this migration are granted to the inspections that referenced them
-- at upgrade (the server did not record uploaders before).
CREATE TABLE blob_grants (
    sha256        TEXT NOT NULL,
    inspection_id TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    PRIMARY KEY (sha256, inspection_id)
) WITHOUT ROWID;
CREATE INDEX blob_grants_by_inspection ON blob_grants(inspection_id);

-- embedded only: grants for the photo references of a database upgraded from before this
-- migration (a PostgreSQL database starts empty).
INSERT OR IGNORE INTO blob_grants(sha256, inspection_id, device_id, granted_at)
SELECT sha256, inspection_id, '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM photo_refs;

-- Review states now follow the version the officer signed: rebuild the seizure projection.
INSERT INTO meta(key, value)
SELECT 'reproject_seizures', '1' WHERE EXISTS (SELECT 1 FROM doc_index)
ON CONFLICT(key) DO NOTHING;

-- Which device spent an enrolment code: the same device may send it again shortly after (its
-- answer was lost) and get a fresh token.
ALTER TABLE enrol_codes ADD COLUMN device_id TEXT;
