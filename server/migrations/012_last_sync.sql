-- 012: when each device last synced, for the administrators' devices page (a phone that has not
-- synced for days holds evidence the agency does not have yet).
ALTER TABLE devices ADD COLUMN last_sync_at TEXT;
