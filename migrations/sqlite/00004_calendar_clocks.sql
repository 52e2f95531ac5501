-- +goose Up
-- The working-day calendar as data (design §3.3): one row per non-working
-- day named by a decree. A civil date, stored as YYYY-MM-DD text so it has
-- no zone and sorts as it reads.
CREATE TABLE holidays (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    day         TEXT NOT NULL UNIQUE,
    kind        TEXT        NOT NULL,
    name_id     TEXT        NOT NULL,
    name_en     TEXT        NOT NULL DEFAULT '',
    source      TEXT        NOT NULL,
    created_at  DATETIME    NOT NULL,
    updated_at  DATETIME    NOT NULL
);

-- One row per change of the holiday set: who, when, why, on what authority,
-- and the content hash (workcal.ContentVersion) that labels clocks computed
-- with the resulting calendar.
CREATE TABLE calendar_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    holiday_hash TEXT        NOT NULL,
    reason       TEXT        NOT NULL,
    source       TEXT        NOT NULL,
    actor        TEXT        NOT NULL,
    created_at   DATETIME    NOT NULL
);

-- SLA policy versions. agency_id NULL is the national policy; otherwise an
-- override for that agency's subtree. The newest row per scope is in force.
CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version     TEXT        NOT NULL UNIQUE,
    name        TEXT        NOT NULL,
    agency_id   INTEGER     REFERENCES agencies (id),
    document    TEXT        NOT NULL,
    reason      TEXT        NOT NULL DEFAULT '',
    actor       TEXT        NOT NULL,
    created_at  DATETIME    NOT NULL
);
CREATE INDEX sla_policies_scope_idx ON sla_policies (agency_id, id);

-- One clock per complaint × agency × kind × cycle (design §3.4). A stopped
-- clock is frozen: recompute never rewrites it.
CREATE TABLE complaint_clocks (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id        INTEGER     NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    agency_id           INTEGER     NOT NULL REFERENCES agencies (id),
    government_code     TEXT        NOT NULL,
    kind                TEXT        NOT NULL,
    cycle               INTEGER     NOT NULL,
    started_at          DATETIME    NOT NULL,
    due_at              DATETIME    NOT NULL,
    stopped_at          DATETIME,
    limit_days          INTEGER     NOT NULL,
    working_days_used   INTEGER     NOT NULL,
    paused_working_days INTEGER     NOT NULL,
    pauses              TEXT        NOT NULL DEFAULT '[]',
    verdict             TEXT        NOT NULL,
    policy_version      TEXT        NOT NULL,
    policy_rule         INTEGER     NOT NULL,
    calendar_version    TEXT        NOT NULL,
    -- when time alone next changes a running clock's verdict (at risk, then
    -- overdue); the sweep reads only clocks whose instant has passed
    next_check_at       DATETIME,
    computed_at         DATETIME    NOT NULL,
    UNIQUE (complaint_id, agency_id, kind, cycle)
);
CREATE INDEX complaint_clocks_open_due_idx ON complaint_clocks (due_at) WHERE stopped_at IS NULL;
CREATE INDEX complaint_clocks_next_check_idx ON complaint_clocks (next_check_at) WHERE stopped_at IS NULL;
CREATE INDEX complaint_clocks_agency_verdict_idx ON complaint_clocks (agency_id, verdict);

-- +goose Down
DROP TABLE complaint_clocks;
DROP TABLE sla_policies;
DROP TABLE calendar_versions;
DROP TABLE holidays;
