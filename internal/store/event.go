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
	// New says the caller knows no stored event has this identity (its
	// complaint was created in the same transaction and it was not among
	// the orphans linked to it): on PostgreSQL's bulk path such events are
	// COPYed straight into the table, skipping the staging table and the
	// conflict check. A stored duplicate then fails the call with
	// ErrConflict instead of being counted as unchanged.
	New bool
}

// EventKey is an event's identity.
type EventKey struct{ Source, TrackingID, EventID string }

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
	out := make([]bool, len(ws))
	conn := s.bulkConn(ctx)
	direct := 0
	if conn != nil {
		for _, w := range ws {
			if w.New {
				direct++
			}
		}
	}
	if direct < minCopyRows {
		direct, conn = 0, nil
	}
	rows := make([][]any, 0, len(ws)-direct)
	var at []int // position in ws of each of rows
	var fresh [][]any
	if conn != nil {
		fresh = make([][]any, 0, direct)
		at = make([]int, 0, len(ws)-direct)
	}
	seen := make(map[eventKey]bool, direct)
	for i, w := range ws {
		e := w.Event
		row := []any{nullID(w.ComplaintID), e.Source, e.TrackingID, e.EventID, string(e.Kind), utcMicro(e.At),
			nullID(w.AgencyID), nullID(w.ToAgencyID), e.PublicText, now}
		if conn == nil {
			rows = append(rows, row)
			continue
		}
		if w.New {
			if k := (eventKey{e.Source, e.TrackingID, e.EventID}); !seen[k] { // a repeat within ws is not created twice
				seen[k], out[i] = true, true
				fresh = append(fresh, row)
			}
			continue
		}
		rows = append(rows, row)
		at = append(at, i)
	}
	if len(fresh) > 0 {
		if err := copyInto(ctx, conn, eventInsert.table, eventInsert.cols, fresh); err != nil {
			return nil, s.wrapRaw("insert events", err)
		}
	}
	if len(rows) == 0 {
		return out, nil
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
	for j := range rows {
		i := j
		if at != nil {
			i = at[j]
		}
		w := ws[i]
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
	linked, err := s.LinkOrphanEventKeys(ctx, keys)
	return int64(len(linked)), err
}

// LinkOrphanEventKeys is LinkOrphanEvents returning the identities of the
// events it linked: for a complaint created in the same transaction, these
// are all its stored events, so every other event of it is new.
func (s *Store) LinkOrphanEventKeys(ctx context.Context, keys []ComplaintKey) (map[EventKey]bool, error) {
	linked := map[EventKey]bool{}
	for source, ids := range groupBySource(keys) {
		for start := 0; start < len(ids); start += maxBindParams - 1 {
			chunk := ids[start:min(start+maxBindParams-1, len(ids))]
			in, args := s.inList("tracking_id", chunk, 2)
			q := `UPDATE complaint_events SET complaint_id = (SELECT c.id FROM complaints c
			          WHERE c.source = complaint_events.source AND c.tracking_id = complaint_events.tracking_id)
			      WHERE complaint_id IS NULL AND source = ` + s.placeholder(1) + ` AND ` + in + `
			      RETURNING source, tracking_id, event_key`
			err := s.execOrQuery(ctx, q, append([]any{source}, args...), func(rs *sql.Rows) error {
				var k EventKey
				if err := rs.Scan(&k.Source, &k.TrackingID, &k.EventID); err != nil {
					return err
				}
				linked[k] = true
				return nil
			})
			if err != nil {
				return linked, s.wrapRaw("link orphan events", err)
			}
		}
	}
	return linked, nil
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
