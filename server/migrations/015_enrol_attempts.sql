-- 015: enrolment attempts counted in the database, so that every server instance on one
-- database counts the same attempts (an instance's own count let N instances allow N times as
-- many). One row per attempt allowed, kept for a minute.
CREATE TABLE enrol_attempts (
    address TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX enrol_attempts_by_address ON enrol_attempts(address, at_ms);
