-- 003: signatures and reviews. Each device registers its Ed25519 public key at enrolment; a review
-- document is indexed under the inspection it reviews.
ALTER TABLE devices ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE doc_index ADD COLUMN inspection_id TEXT;
CREATE INDEX doc_index_by_inspection ON doc_index(inspection_id);
