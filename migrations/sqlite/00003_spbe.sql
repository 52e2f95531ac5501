-- +goose Up
-- SPBE index frameworks as loaded: one row per framework id and file
-- version (a content hash), so every stored index names the exact rules
-- it was computed with.
CREATE TABLE spbe_frameworks (
    id             TEXT        NOT NULL,
    version        TEXT        NOT NULL,
    name           TEXT        NOT NULL,
    effective_from TEXT        NOT NULL,
    document       TEXT        NOT NULL,
    loaded_at      DATETIME    NOT NULL,
    PRIMARY KEY (id, version)
);

-- One assessed level per indicator per government, year and stage
-- (self_assessment, final, target), with its evidence and owning OPD.
CREATE TABLE spbe_assessment_levels (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    framework_id    TEXT        NOT NULL,
    agency_id       INTEGER     NOT NULL REFERENCES agencies (id),
    year            INTEGER     NOT NULL,
    stage           TEXT        NOT NULL,
    indicator       INTEGER     NOT NULL,
    level           INTEGER     NOT NULL,
    evidence_url    TEXT        NOT NULL DEFAULT '',
    owner_agency_id INTEGER     REFERENCES agencies (id),
    note            TEXT        NOT NULL DEFAULT '',
    -- precondition id → confirmed, for derived indicators (JSON object)
    confirmations   TEXT        NOT NULL DEFAULT '',
    updated_at      DATETIME    NOT NULL,
    UNIQUE (framework_id, agency_id, year, stage, indicator)
);
CREATE INDEX spbe_assessment_levels_agency_idx ON spbe_assessment_levels (agency_id, year);

-- Index history: append-only; a new row is written only when a result
-- differs from the latest one with the same key, so re-imports change
-- nothing and recomputations keep their past values.
CREATE TABLE spbe_index_results (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id         INTEGER     NOT NULL REFERENCES agencies (id),
    framework_id      TEXT        NOT NULL,
    framework_version TEXT        NOT NULL,
    year              INTEGER     NOT NULL,
    stage             TEXT        NOT NULL,
    -- computed (from assessed levels) | published (official) | projected (derived indicator)
    source            TEXT        NOT NULL,
    index_published   TEXT        NOT NULL,
    -- exact value ("3.4985", "23/11"); empty when only the rounded value is known
    index_exact       TEXT        NOT NULL DEFAULT '',
    predicate         TEXT        NOT NULL,
    banding           TEXT        NOT NULL DEFAULT '',
    domains_json      TEXT        NOT NULL,
    detail_json       TEXT        NOT NULL DEFAULT '',
    computed_at       DATETIME    NOT NULL
);
CREATE INDEX spbe_index_results_key_idx ON spbe_index_results (agency_id, framework_id, year, stage, source);
CREATE INDEX spbe_index_results_year_idx ON spbe_index_results (framework_id, year, source);

-- +goose Down
DROP TABLE spbe_index_results;
DROP TABLE spbe_assessment_levels;
DROP TABLE spbe_frameworks;
