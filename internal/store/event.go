package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// EventWrite is an event to store. ComplaintID 0 keeps it as an orphan
// until its complaint arrives; Event.EventID is its identity key.
type EventWrite struct {
	ComplaintID int64
	Event       domain.Event
	AgencyID    int64
	ToAgencyID  int64
}

type eventKey struct{ source, trackingID, key string }

var eventInsert = bulkInsert{
	table: "complaint_events",
	cols: []string{"complaint_id", "source", "tracking_id", "event_key", "kind", "at", "agency_id", "to_agency_id",
		"public_text", "created_at"},
	pgTypes: []string{"bigint", "text", "text", "text", "text", "timestamptz", "bigint", "bigint", "text", "timestamptz"},
	suffix:  "ON CONFLICT (source, tracking_id, event_key) DO NOTHING RETURNING source, tracking_id, event_key",
	copy:    true,
}

// InsertEvents stores events whose identity is new and reports, per input,
// whether it was created; a known identity (or a repeat within ws) is left
// as stored.
func (s *Store) InsertEvents(ctx context.Context, ws []EventWrite, now time.Time) ([]bool, error) {
	now = utcMicro(now)
	rows := make([][]any, len(ws))
	for i, w := range ws {
		e := w.Event
		rows[i] = []any{nullID(w.ComplaintID), e.Source, e.TrackingID, e.EventID, string(e.Kind), utcMicro(e.At),
			nullID(w.AgencyID), nullID(w.ToAgencyID), e.PublicText, now}
	}
	created := map[eventKey]bool{}
	err := s.bulkInsert(ctx, eventInsert, rows, func(rs *sql.Rows) error {
		var k eventKey
		if err := rs.Scan(&k.source, &k.trackingID, &k.key); err != nil {
			return err
		}
		created[k] = true
		return nil
	})
	if err != nil {
		return nil, s.wrapRaw("insert events", err)
	}
	out := make([]bool, len(ws))
	for i, w := range ws {
		k := eventKey{w.Event.Source, w.Event.TrackingID, w.Event.EventID}
		if created[k] {
			out[i] = true
			delete(created, k) // a repeat within ws is not created twice
		}
	}
	return out, nil
}

// LinkOrphanEvents attaches events stored before their complaint to the
// complaints now known by key, in one statement per source.
func (s *Store) LinkOrphanEvents(ctx context.Context, keys []ComplaintKey) (int64, error) {
	var total int64
	for source, ids := range groupBySource(keys) {
		for start := 0; start < len(ids); start += maxBindParams - 1 {
			chunk := ids[start:min(start+maxBindParams-1, len(ids))]
			in, args := s.inList("tracking_id", chunk, 2)
			q := `UPDATE complaint_events SET complaint_id = (SELECT c.id FROM complaints c
			          WHERE c.source = complaint_events.source AND c.tracking_id = complaint_events.tracking_id)
			      WHERE complaint_id IS NULL AND source = ` + s.placeholder(1) + ` AND ` + in
			res, err := s.pool().ExecContext(ctx, q, append([]any{source}, args...)...)
			if err != nil {
				return total, s.wrapRaw("link orphan events", err)
			}
			n, _ := res.RowsAffected()
			total += n
		}
	}
	return total, nil
}

// ComplaintEvents returns a complaint's history in the order state is
// derived from: time, then kind order, then arrival (design §3.2).
func (s *Store) ComplaintEvents(ctx context.Context, complaintID int64) ([]domain.Event, error) {
	q := `SELECT e.id, e.source, e.tracking_id, e.event_key, e.kind, e.at, COALESCE(a.code, ''), COALESCE(t.code, ''), e.public_text
	      FROM complaint_events e
	      LEFT JOIN agencies a ON a.id = e.agency_id
	      LEFT JOIN agencies t ON t.id = e.to_agency_id
	      WHERE e.complaint_id = ` + s.placeholder(1)
	rs, err := s.pool().QueryContext(ctx, q, complaintID)
	if err != nil {
		return nil, s.wrapRaw("complaint events", err)
	}
	defer rs.Close()
	type row struct {
		id int64
		e  domain.Event
	}
	var list []row
	for rs.Next() {
		var r row
		var kind string
		var at scanTime
		if err := rs.Scan(&r.id, &r.e.Source, &r.e.TrackingID, &r.e.EventID, &kind, &at, &r.e.AgencyCode, &r.e.ToAgencyCode, &r.e.PublicText); err != nil {
			return nil, s.wrapRaw("complaint events", err)
		}
		r.e.Kind, r.e.At = domain.EventKind(kind), at.t
		list = append(list, r)
	}
	if err := rs.Err(); err != nil {
		return nil, s.wrapRaw("complaint events", err)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !a.e.At.Equal(b.e.At) {
			return a.e.At.Before(b.e.At)
		}
		if a.e.Kind.Order() != b.e.Kind.Order() {
			return a.e.Kind.Order() < b.e.Kind.Order()
		}
		return a.id < b.id
	})
	out := make([]domain.Event, len(list))
	for i, r := range list {
		out[i] = r.e
	}
	return out, nil
}

// EventDigest lists every stored event as one comparable line, sorted, so
// tests can check two imports stored the same history.
func (s *Store) EventDigest(ctx context.Context) ([]string, error) {
	q := `SELECT e.source, e.tracking_id, e.event_key, e.kind, e.at, COALESCE(a.code, ''), COALESCE(t.code, ''),
	             e.public_text, COALESCE(c.tracking_id, '')
	      FROM complaint_events e
	      LEFT JOIN agencies a ON a.id = e.agency_id
	      LEFT JOIN agencies t ON t.id = e.to_agency_id
	      LEFT JOIN complaints c ON c.id = e.complaint_id`
	rs, err := s.pool().QueryContext(ctx, q)
	if err != nil {
		return nil, s.wrapRaw("event digest", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var f [9]string
		var at scanTime
		if err := rs.Scan(&f[0], &f[1], &f[2], &f[3], &at, &f[5], &f[6], &f[7], &f[8]); err != nil {
			return nil, s.wrapRaw("event digest", err)
		}
		f[4] = at.t.Format(time.RFC3339Nano)
		out = append(out, strings.Join(f[:], "|"))
	}
	sort.Strings(out)
	return out, s.wrapRaw("event digest", rs.Err())
}
