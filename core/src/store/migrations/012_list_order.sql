-- 012: the list's order (newest first, ties by id) is read straight from one index, instead of
-- sorting each run of equal times in a temporary B-tree on every list.
DROP INDEX inspections_by_created;
CREATE INDEX inspections_by_created ON inspections(created_at, id);
