-- +goose Up
CREATE TABLE complaints (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    source            TEXT        NOT NULL,
    tracking_id       TEXT        NOT NULL,
    report_type       TEXT        NOT NULL,
    category          TEXT        NOT NULL DEFAULT '',
    channel           TEXT        NOT NULL DEFAULT '',
    submitted_at      DATETIME    NOT NULL,
    agency_id         BIGINT      NOT NULL REFERENCES agencies (id),
    -- copied from the agency: the roll-up key and the distribution column
    -- if the database is ever sharded by government (design §4)
    government_code   TEXT        NOT NULL,
    region_code       TEXT        NOT NULL DEFAULT '',
    anonymous         BOOLEAN     NOT NULL DEFAULT FALSE,
    confidential      BOOLEAN     NOT NULL DEFAULT FALSE,
    title             TEXT        NOT NULL DEFAULT '',
    summary           TEXT        NOT NULL DEFAULT '',
    source_updated_at DATETIME   ,
    created_at        DATETIME    NOT NULL,
    updated_at        DATETIME    NOT NULL,
    UNIQUE (source, tracking_id)
);
CREATE INDEX complaints_agency_idx ON complaints (agency_id, submitted_at);
CREATE INDEX complaints_government_idx ON complaints (government_code, submitted_at);

-- Reporter identity lives apart: no public query, export or log reads it.
CREATE TABLE complaint_reporters (
    complaint_id INTEGER PRIMARY KEY REFERENCES complaints (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    contact      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE complaint_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL while the event's complaint has not arrived yet; linked by
    -- (source, tracking_id) when it does
    complaint_id BIGINT      REFERENCES complaints (id) ON DELETE CASCADE,
    source       TEXT        NOT NULL,
    tracking_id  TEXT        NOT NULL,
    -- the source's event id, or domain.EventIdentity's content hash
    event_key    TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    at           DATETIME    NOT NULL,
    agency_id    BIGINT      REFERENCES agencies (id),
    to_agency_id BIGINT      REFERENCES agencies (id),
    public_text  TEXT        NOT NULL DEFAULT '',
    created_at   DATETIME    NOT NULL,
    UNIQUE (source, tracking_id, event_key)
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, at);

-- Complaints whose history changed since the clock engine last looked.
CREATE TABLE dirty_complaints (
    complaint_id INTEGER PRIMARY KEY REFERENCES complaints (id) ON DELETE CASCADE,
    marked_at    DATETIME    NOT NULL
);

CREATE TABLE import_jobs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT        NOT NULL,
    format            TEXT        NOT NULL,
    file_name         TEXT        NOT NULL,
    stored_path       TEXT        NOT NULL DEFAULT '',
    -- same file and options → same identity, so a re-run resumes
    identity          TEXT        NOT NULL DEFAULT '',
    options_json      TEXT        NOT NULL DEFAULT '{}',
    actor             TEXT        NOT NULL,
    actor_role        TEXT        NOT NULL,
    actor_agency      TEXT        NOT NULL DEFAULT '',
    status            TEXT        NOT NULL,
    created           BIGINT      NOT NULL DEFAULT 0,
    updated           BIGINT      NOT NULL DEFAULT 0,
    unchanged         BIGINT      NOT NULL DEFAULT 0,
    stale             BIGINT      NOT NULL DEFAULT 0,
    rejected          BIGINT      NOT NULL DEFAULT 0,
    events_created    BIGINT      NOT NULL DEFAULT 0,
    events_unchanged  BIGINT      NOT NULL DEFAULT 0,
    -- what the last committed batch reached: resume point
    committed_offset  BIGINT      NOT NULL DEFAULT 0,
    committed_line    BIGINT      NOT NULL DEFAULT 0,
    size_bytes        BIGINT      NOT NULL DEFAULT 0,
    started_at        DATETIME   ,
    finished_at       DATETIME   ,
    error             TEXT        NOT NULL DEFAULT '',
    report_path       TEXT        NOT NULL DEFAULT '',
    created_at        DATETIME    NOT NULL,
    updated_at        DATETIME    NOT NULL
);
CREATE INDEX import_jobs_identity_idx ON import_jobs (identity);
CREATE INDEX import_jobs_status_idx ON import_jobs (status);

CREATE TABLE import_rejections (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id BIGINT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line   BIGINT NOT NULL,
    record TEXT   NOT NULL DEFAULT '',
    field  TEXT   NOT NULL DEFAULT '',
    reason TEXT   NOT NULL
);
CREATE INDEX import_rejections_job_idx ON import_rejections (job_id, line);

-- +goose Down
DROP TABLE import_rejections;
DROP TABLE import_jobs;
DROP TABLE dirty_complaints;
DROP TABLE complaint_events;
DROP TABLE complaint_reporters;
DROP TABLE complaints;
