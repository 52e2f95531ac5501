-- +goose Up
-- Signed commitments (design §3.6). A commitment is a slug; its content lives
-- in versions that are never rewritten: a revision or a withdrawal adds one.
-- Dates (signed_on, effective_from, baseline_as_of, deadline, on_date) are
-- civil dates YYYY-MM-DD stored as text.
CREATE TABLE commitments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT        NOT NULL UNIQUE,
    lead_agency     TEXT        NOT NULL,
    current_version INTEGER     NOT NULL,
    -- active | withdrawn: the state of the newest version
    status          TEXT        NOT NULL,
    created_at      DATETIME    NOT NULL,
    updated_at      DATETIME    NOT NULL
);

CREATE TABLE commitment_versions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id      BIGINT      NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    version            INTEGER     NOT NULL,
    effective_from     TEXT        NOT NULL,
    status             TEXT        NOT NULL,
    title              TEXT        NOT NULL,
    number             TEXT        NOT NULL DEFAULT '',
    signed_on          TEXT        NOT NULL,
    signatory_name     TEXT        NOT NULL DEFAULT '',
    signatory_office   TEXT        NOT NULL,
    lead_agency        TEXT        NOT NULL,
    document_url       TEXT        NOT NULL DEFAULT '',
    change_note        TEXT        NOT NULL DEFAULT '',
    -- JSON array of lines saying what changed from the previous version
    changes_json       TEXT        NOT NULL DEFAULT '[]',
    created_at         DATETIME    NOT NULL,
    created_by         TEXT        NOT NULL,
    UNIQUE (commitment_id, version)
);

CREATE TABLE commitment_parties (
    version_id  BIGINT  NOT NULL REFERENCES commitment_versions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    agency_code TEXT    NOT NULL,
    PRIMARY KEY (version_id, position)
);
CREATE INDEX commitment_parties_agency_idx ON commitment_parties (agency_code);

CREATE TABLE commitment_targets (
    version_id         BIGINT      NOT NULL REFERENCES commitment_versions (id) ON DELETE CASCADE,
    position           INTEGER     NOT NULL,
    target_key         TEXT        NOT NULL,
    metric             TEXT        NOT NULL,
    scope              TEXT        NOT NULL,
    -- JSON array narrowing the commitment's parties; '[]' = all of them
    parties_json       TEXT        NOT NULL DEFAULT '[]',
    baseline           REAL NOT NULL,
    baseline_as_of     TEXT        NOT NULL,
    baseline_computed  BOOLEAN     NOT NULL DEFAULT FALSE,
    target_value       REAL NOT NULL,
    direction          TEXT        NOT NULL,
    measurement_period TEXT        NOT NULL DEFAULT '',
    deadline           TEXT        NOT NULL,
    working_day_limit  INTEGER     NOT NULL DEFAULT 0,
    PRIMARY KEY (version_id, position)
);

-- One row per commitment × target × party × day; party '' is the group value.
CREATE TABLE commitment_snapshots (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id   BIGINT      NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    target_key      TEXT        NOT NULL,
    party           TEXT        NOT NULL DEFAULT '',
    on_date         TEXT        NOT NULL,
    version         INTEGER     NOT NULL,
    value           REAL,
    n               BIGINT      NOT NULL DEFAULT 0,
    status          TEXT        NOT NULL,
    reason          TEXT        NOT NULL DEFAULT '',
    budget_json     TEXT        NOT NULL DEFAULT '',
    projection_json TEXT        NOT NULL DEFAULT '',
    taken_at        DATETIME    NOT NULL,
    UNIQUE (commitment_id, target_key, party, on_date)
);

-- A target's status changed between two snapshots.
CREATE TABLE commitment_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id BIGINT      NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    target_key    TEXT        NOT NULL,
    party         TEXT        NOT NULL DEFAULT '',
    on_date       TEXT        NOT NULL,
    from_status   TEXT        NOT NULL,
    to_status     TEXT        NOT NULL,
    value         REAL,
    reason        TEXT        NOT NULL DEFAULT '',
    created_at    DATETIME    NOT NULL,
    UNIQUE (commitment_id, target_key, party, on_date)
);

-- Webhook subscriptions: for one commitment, for one party (agency code), or both.
CREATE TABLE commitment_webhooks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id BIGINT      REFERENCES commitments (id) ON DELETE CASCADE,
    agency_code   TEXT        NOT NULL DEFAULT '',
    url           TEXT        NOT NULL,
    secret        TEXT        NOT NULL,
    active        BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    DATETIME    NOT NULL,
    created_by    TEXT        NOT NULL
);

-- Delivery log: one row per attempt. A 'pending' row is due at due_at; a
-- failed attempt that may be retried leaves next_retry_at and a new pending row.
CREATE TABLE commitment_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      BIGINT      NOT NULL REFERENCES commitment_events (id) ON DELETE CASCADE,
    webhook_id    BIGINT      NOT NULL REFERENCES commitment_webhooks (id) ON DELETE CASCADE,
    attempt       INTEGER     NOT NULL,
    -- pending | delivered | retry | failed
    outcome       TEXT        NOT NULL,
    due_at        DATETIME    NOT NULL,
    attempted_at  DATETIME   ,
    status_code   INTEGER     NOT NULL DEFAULT 0,
    error         TEXT        NOT NULL DEFAULT '',
    next_retry_at DATETIME   
);
CREATE INDEX commitment_deliveries_due_idx ON commitment_deliveries (outcome, due_at);
CREATE INDEX commitment_deliveries_event_idx ON commitment_deliveries (event_id, webhook_id);

-- +goose Down
DROP TABLE commitment_deliveries;
DROP TABLE commitment_webhooks;
DROP TABLE commitment_events;
DROP TABLE commitment_snapshots;
DROP TABLE commitment_targets;
DROP TABLE commitment_parties;
DROP TABLE commitment_versions;
DROP TABLE commitments;
