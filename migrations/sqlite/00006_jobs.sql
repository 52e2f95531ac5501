-- +goose Up
-- One row per run of a scheduled job (design §3.8). UNIQUE (job, slot) is
-- the cross-replica claim: every replica inserts the slot it was woken for
-- and only the one whose insert landed runs it. Manual runs use a slot of
-- their own ("manual:…"), so they never take a scheduled slot.
CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          TEXT        NOT NULL,
    slot         TEXT        NOT NULL,
    -- the scheduled instant; NULL for manual runs
    scheduled_at DATETIME   ,
    replica      TEXT        NOT NULL,
    manual       BOOLEAN     NOT NULL DEFAULT FALSE,
    actor        TEXT        NOT NULL DEFAULT '',
    -- running | succeeded | failed | skipped
    outcome      TEXT        NOT NULL,
    started_at   DATETIME    NOT NULL,
    -- heartbeat while running: a stale one means the replica died
    updated_at   DATETIME    NOT NULL,
    finished_at  DATETIME   ,
    counts_json  TEXT        NOT NULL DEFAULT '{}',
    error        TEXT        NOT NULL DEFAULT '',
    UNIQUE (job, slot)
);
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at);
CREATE INDEX job_runs_outcome_idx ON job_runs (outcome, updated_at);

-- Complaints whose reporter data the retention job removed, and when; ingest
-- can consult it so a re-import does not bring the identity back.
CREATE TABLE complaint_anonymisations (
    complaint_id  INTEGER PRIMARY KEY REFERENCES complaints (id) ON DELETE CASCADE,
    anonymised_at DATETIME    NOT NULL
);

-- +goose Down
DROP TABLE complaint_anonymisations;
DROP TABLE job_runs;
