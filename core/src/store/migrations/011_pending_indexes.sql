-- 011: what the phones ask after every write (how much is waiting for the server) reads only
-- what is waiting: photos not yet uploaded and documents the server refused, each through a
-- partial index, beside the `unsynced` table.
CREATE INDEX blobs_not_uploaded ON blobs(sha256) WHERE uploaded_at IS NULL;
CREATE INDEX sync_state_refused ON sync_state(doc_id) WHERE rejected IS NOT NULL;
