-- +goose Up
-- Stored metrics per agency × period (design §3.5): scope 'own' counts the
-- agency's own complaints and clocks, scope 'subtree' the agency and every
-- unit beneath it (own row + the children's subtree rows). Pages and the API
-- read only these rows; see internal/metrics for every definition.
-- period_key: 2024-03 (month), 2024-Q1 (quarter), 2024 (year) or rolling90
-- (the 90 days ending on period_end, refreshed when the day changes).
CREATE TABLE rollups (
    agency_id             BIGINT      NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    scope                 TEXT        NOT NULL,
    period_key            TEXT COLLATE "C" NOT NULL,
    period_kind           TEXT        NOT NULL,
    -- civil dates YYYY-MM-DD, both ends inclusive
    period_start          TEXT        NOT NULL,
    period_end            TEXT        NOT NULL,
    received              BIGINT      NOT NULL DEFAULT 0,
    forwarded_out         BIGINT      NOT NULL DEFAULT 0,
    rejected              BIGINT      NOT NULL DEFAULT 0,
    assigned              BIGINT      NOT NULL DEFAULT 0,
    responded             BIGINT      NOT NULL DEFAULT 0,
    completed             BIGINT      NOT NULL DEFAULT 0,
    -- deadline cohorts: clocks due in the period
    fr_due                BIGINT      NOT NULL DEFAULT 0,
    fr_on_time            BIGINT      NOT NULL DEFAULT 0,
    fr_open_overdue       BIGINT      NOT NULL DEFAULT 0,
    fr_pending            BIGINT      NOT NULL DEFAULT 0,
    cp_due                BIGINT      NOT NULL DEFAULT 0,
    cp_on_time            BIGINT      NOT NULL DEFAULT 0,
    cp_open_overdue       BIGINT      NOT NULL DEFAULT 0,
    cp_pending            BIGINT      NOT NULL DEFAULT 0,
    -- stats.Histogram text form ("days:count,...") of working days to the
    -- first response / completion, for answers given in the period
    fr_days               TEXT        NOT NULL DEFAULT '',
    cp_days               TEXT        NOT NULL DEFAULT '',
    updated_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, scope, period_key)
);
CREATE INDEX rollups_period_idx ON rollups (period_key, scope, agency_id);

-- Running-clock counts now, per agency (own and subtree).
CREATE TABLE rollup_current (
    agency_id  BIGINT      NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    scope      TEXT        NOT NULL,
    open       BIGINT      NOT NULL DEFAULT 0,
    overdue    BIGINT      NOT NULL DEFAULT 0,
    at_risk    BIGINT      NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, scope)
);

-- (agency, month) pairs whose own figures changed since the last refresh.
CREATE TABLE rollup_dirty (
    agency_id BIGINT      NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    month     TEXT COLLATE "C" NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, month)
);

-- Small key/value state of the refresh (the rolling window's last day).
CREATE TABLE rollup_state (
    name       TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The refresh selects an agency's clocks touching a date range.
CREATE INDEX complaint_clocks_agency_started_idx ON complaint_clocks (agency_id, started_at);
CREATE INDEX complaint_clocks_agency_due_idx ON complaint_clocks (agency_id, due_at);
CREATE INDEX complaint_clocks_agency_stopped_idx ON complaint_clocks (agency_id, stopped_at);

-- +goose Down
DROP INDEX complaint_clocks_agency_stopped_idx;
DROP INDEX complaint_clocks_agency_due_idx;
DROP INDEX complaint_clocks_agency_started_idx;
DROP TABLE rollup_state;
DROP TABLE rollup_dirty;
DROP TABLE rollup_current;
DROP TABLE rollups;
