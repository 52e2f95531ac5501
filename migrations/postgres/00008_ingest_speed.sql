-- +goose Up
-- Bulk ingest speed (issue 5). Every event row paid three foreign-key
-- checks; the two on agencies are dropped here. Their ids come from the
-- ingest service's agency index, which resolves each code against the
-- agencies table and rejects unknown ones, and agencies are never deleted
-- (they are renamed or moved), so the checks only cost time: about a third
-- of an event insert. The complaint_id key stays (it cascades deletes).
-- SQLite keeps both keys: dropping one there means rebuilding the table,
-- and its bulk path is not COPY-bound. Tables and columns stay identical.
ALTER TABLE complaint_events DROP CONSTRAINT IF EXISTS complaint_events_agency_id_fkey;
ALTER TABLE complaint_events DROP CONSTRAINT IF EXISTS complaint_events_to_agency_id_fkey;

-- +goose Down
ALTER TABLE complaint_events ADD CONSTRAINT complaint_events_agency_id_fkey
    FOREIGN KEY (agency_id) REFERENCES agencies (id);
ALTER TABLE complaint_events ADD CONSTRAINT complaint_events_to_agency_id_fkey
    FOREIGN KEY (to_agency_id) REFERENCES agencies (id);
