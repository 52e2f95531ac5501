-- +goose Up
-- Agency workspace (issue 12): people who sign in (officers, supervisors,
-- admins), their server-side sessions, the log of every view of reporter
-- data, and the record of daily digests sent.

-- A person's account. role is admin | officer | supervisor; officers and
-- supervisors are bound to an agency and see its subtree. password_hash is
-- a PHC-format argon2id string. failed_attempts and locked_until implement
-- the temporary lock after repeated wrong passwords. digest_hour (0-23,
-- Asia/Jakarta) NULL means no daily digest.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT        NOT NULL UNIQUE,
    display_name        TEXT        NOT NULL DEFAULT '',
    email               TEXT        NOT NULL DEFAULT '',
    role                TEXT        NOT NULL,
    agency_id           INTEGER     REFERENCES agencies (id),
    password_hash       TEXT        NOT NULL,
    failed_attempts     INTEGER     NOT NULL DEFAULT 0,
    locked_until        DATETIME   ,
    disabled_at         DATETIME   ,
    last_sign_in_at     DATETIME   ,
    password_changed_at DATETIME    NOT NULL,
    digest_hour         INTEGER,
    digest_email        BOOLEAN     NOT NULL DEFAULT FALSE,
    digest_webhook_url  TEXT        NOT NULL DEFAULT '',
    language            TEXT        NOT NULL DEFAULT 'id',
    created_at          DATETIME    NOT NULL,
    updated_at          DATETIME    NOT NULL
);
CREATE INDEX users_digest_idx ON users (digest_hour);

-- A signed-in browser. Only the SHA-256 of the cookie's secret is stored;
-- csrf_token is the synchroniser token every form of the session carries.
-- A session ends at expires_at (absolute), after the idle limit since
-- last_seen_at, or when revoked (sign-out, sign-out everywhere, disable).
CREATE TABLE user_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT        NOT NULL UNIQUE,
    csrf_token   TEXT        NOT NULL,
    created_at   DATETIME    NOT NULL,
    last_seen_at DATETIME    NOT NULL,
    expires_at   DATETIME    NOT NULL,
    revoked_at   DATETIME   ,
    client_ip    TEXT        NOT NULL DEFAULT '',
    user_agent   TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at);

-- Every time a signed-in person was shown a reporter's name or contact.
-- Kept apart from the audit log so admins can review access to personal
-- data on its own; the complaint is named by key so the row survives it.
CREATE TABLE reporter_access_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           DATETIME    NOT NULL,
    user_id      INTEGER     NOT NULL REFERENCES users (id),
    actor        TEXT        NOT NULL,
    complaint_id INTEGER     NOT NULL,
    source       TEXT        NOT NULL,
    tracking_id  TEXT        NOT NULL,
    agency_code  TEXT        NOT NULL,
    purpose      TEXT        NOT NULL DEFAULT '',
    client_ip    TEXT        NOT NULL DEFAULT '',
    request_id   TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX reporter_access_log_at_idx ON reporter_access_log (at);
CREATE INDEX reporter_access_log_complaint_idx ON reporter_access_log (source, tracking_id);

-- One row per user, local (Asia/Jakarta) day and channel: UNIQUE is the
-- claim that keeps two replicas, or two runs in one hour, from sending the
-- same digest twice. outcome is sending | sent | failed.
CREATE TABLE digest_sends (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_date  TEXT        NOT NULL,
    channel     TEXT        NOT NULL,
    outcome     TEXT        NOT NULL,
    attempts    INTEGER     NOT NULL DEFAULT 1,
    overdue     INTEGER     NOT NULL DEFAULT 0,
    at_risk     INTEGER     NOT NULL DEFAULT 0,
    items       INTEGER     NOT NULL DEFAULT 0,
    error       TEXT        NOT NULL DEFAULT '',
    started_at  DATETIME    NOT NULL,
    finished_at DATETIME   ,
    UNIQUE (user_id, local_date, channel)
);

-- +goose Down
DROP TABLE digest_sends;
DROP TABLE reporter_access_log;
DROP TABLE user_sessions;
DROP TABLE users;
