-- 007: review states follow the version the officer signed (an inspection changed after its
-- submission is "changed_since_submission"), and reviews whose signatures do not hold no longer
-- count. No table changes: the list projection is rebuilt from the documents.
INSERT INTO meta(key, value) VALUES ('reproject', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
