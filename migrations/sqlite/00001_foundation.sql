-- +goose Up
CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT     NOT NULL UNIQUE,
    kind        TEXT     NOT NULL,
    name        TEXT     NOT NULL,
    short_name  TEXT     NOT NULL DEFAULT '',
    parent_id   INTEGER  REFERENCES agencies (id),
    path        TEXT     NOT NULL,
    depth       INTEGER  NOT NULL,
    government_code TEXT NOT NULL,
    time_zone   TEXT     NOT NULL,
    active      BOOLEAN  NOT NULL DEFAULT TRUE,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX agencies_parent_idx ON agencies (parent_id);
CREATE INDEX agencies_path_idx ON agencies (path);
CREATE INDEX agencies_kind_idx ON agencies (kind);

CREATE TABLE agency_external_ids (
    agency_id   INTEGER NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    system      TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    PRIMARY KEY (system, external_id)
);
CREATE INDEX agency_external_ids_agency_idx ON agency_external_ids (agency_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT     NOT NULL,
    role         TEXT     NOT NULL,
    agency_id    INTEGER  REFERENCES agencies (id),
    token_hash   TEXT     NOT NULL UNIQUE,
    prefix       TEXT     NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME,
    revoked_at   DATETIME,
    last_used_at DATETIME
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    actor       TEXT     NOT NULL,
    action      TEXT     NOT NULL,
    entity      TEXT     NOT NULL,
    entity_key  TEXT     NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_key);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE agency_external_ids;
DROP TABLE agencies;
