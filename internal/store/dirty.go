package store

import (
	"context"
	"slices"
	"time"
)

var dirtyInsert = bulkInsert{
	table:   "dirty_complaints",
	cols:    []string{"complaint_id", "marked_at"},
	pgTypes: []string{"bigint", "timestamptz"},
	suffix:  "ON CONFLICT (complaint_id) DO UPDATE SET marked_at = excluded.marked_at",
}

// MarkComplaintsDirty records that these complaints' history changed, so
// the clock engine recomputes only them.
func (s *Store) MarkComplaintsDirty(ctx context.Context, ids []int64, at time.Time) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids) // one statement may not touch a row twice
	at = utcMicro(at)
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			rows = append(rows, []any{id, at})
		}
	}
	return s.wrapRaw("mark complaints dirty", s.bulkInsert(ctx, dirtyInsert, rows, nil))
}

// MarkNewComplaintsDirty is MarkComplaintsDirty for complaints created in
// the same transaction, which cannot have a mark yet: on PostgreSQL's bulk
// path the marks are COPYed straight into the table.
func (s *Store) MarkNewComplaintsDirty(ctx context.Context, ids []int64, at time.Time) error {
	conn := s.bulkConn(ctx)
	if conn == nil || len(ids) < minCopyRows {
		return s.MarkComplaintsDirty(ctx, ids, at)
	}
	at = utcMicro(at)
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		rows = append(rows, []any{id, at})
	}
	return s.wrapRaw("mark complaints dirty", copyInto(ctx, conn, dirtyInsert.table, dirtyInsert.cols, rows))
}

// DirtyComplaint is a complaint waiting for the clock engine.
type DirtyComplaint struct {
	ComplaintID int64
	MarkedAt    time.Time
}

// DirtyComplaints returns up to limit complaints to recompute, oldest mark first.
func (s *Store) DirtyComplaints(ctx context.Context, limit int) ([]DirtyComplaint, error) {
	rs, err := s.pool().QueryContext(ctx, `SELECT complaint_id, marked_at FROM dirty_complaints ORDER BY marked_at, complaint_id LIMIT `+s.placeholder(1), limit)
	if err != nil {
		return nil, s.wrapRaw("dirty complaints", err)
	}
	defer rs.Close()
	var out []DirtyComplaint
	for rs.Next() {
		var d DirtyComplaint
		var at scanTime
		if err := rs.Scan(&d.ComplaintID, &at); err != nil {
			return nil, s.wrapRaw("dirty complaints", err)
		}
		d.MarkedAt = at.t
		out = append(out, d)
	}
	return out, s.wrapRaw("dirty complaints", rs.Err())
}

// ClearDirtyComplaint removes a mark unless the complaint was marked again
// after markedAt (a concurrent ingest), which then stays for the next pass.
func (s *Store) ClearDirtyComplaint(ctx context.Context, d DirtyComplaint) error {
	_, err := s.pool().ExecContext(ctx, `DELETE FROM dirty_complaints WHERE complaint_id = `+s.placeholder(1)+` AND marked_at <= `+s.placeholder(2),
		d.ComplaintID, utcMicro(d.MarkedAt))
	return s.wrapRaw("clear dirty complaint", err)
}
