-- +goose Up
-- Bulk ingest speed (issue 5): on PostgreSQL this version drops the two
-- agency foreign keys of complaint_events (see migrations/postgres). SQLite
-- keeps them: dropping a key means rebuilding the table, and SQLite's bulk
-- path is not bound by them. No table or column changes, so the schemas
-- stay identical.
SELECT 1;

-- +goose Down
SELECT 1;
