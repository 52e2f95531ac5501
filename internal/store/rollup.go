package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// Roll-up scopes: an agency's own complaints, or its whole subtree.
const (
	RollupOwn     = "own"
	RollupSubtree = "subtree"
)

// RollupCounts are the additive counters of one roll-up row. Their meaning
// is defined in package metrics.
type RollupCounts struct {
	Received, ForwardedOut, Rejected, Assigned, Responded, Completed int64
	FRDue, FROnTime, FROpenOverdue, FRPending                        int64
	CPDue, CPOnTime, CPOpenOverdue, CPPending                        int64
}

// Add adds o to c.
func (c *RollupCounts) Add(o RollupCounts) {
	c.Received += o.Received
	c.ForwardedOut += o.ForwardedOut
	c.Rejected += o.Rejected
	c.Assigned += o.Assigned
	c.Responded += o.Responded
	c.Completed += o.Completed
	c.FRDue += o.FRDue
	c.FROnTime += o.FROnTime
	c.FROpenOverdue += o.FROpenOverdue
	c.FRPending += o.FRPending
	c.CPDue += o.CPDue
	c.CPOnTime += o.CPOnTime
	c.CPOpenOverdue += o.CPOpenOverdue
	c.CPPending += o.CPPending
}

// Rollup is one stored row: an agency's figures for one period and scope.
type Rollup struct {
	AgencyID   int64
	Scope      string
	PeriodKey  string // 2024-03, 2024-Q1, 2024 or rolling90
	PeriodKind stats.PeriodKind
	// PeriodStart and PeriodEnd are civil dates (YYYY-MM-DD), inclusive.
	PeriodStart, PeriodEnd string
	Counts                 RollupCounts
	FirstResponseDays      stats.Histogram
	CompletionDays         stats.Histogram
	UpdatedAt              time.Time
}

// Empty reports whether the row holds nothing (empty rows are not stored).
func (r *Rollup) Empty() bool {
	return r.Counts == (RollupCounts{}) && r.FirstResponseDays.N() == 0 && r.CompletionDays.N() == 0
}

// RollupCurrent counts an agency's complaints with running clocks now.
type RollupCurrent struct {
	AgencyID  int64
	Scope     string
	Open      int64
	Overdue   int64
	AtRisk    int64
	UpdatedAt time.Time
}

// RollupAgency is what the roll-up refresh needs of an agency.
type RollupAgency struct {
	ID             int64
	ParentID       int64 // 0 for a root
	Depth          int
	Code           string
	Kind           domain.AgencyKind
	Name           string
	ShortName      string
	Path           string
	GovernmentCode string
	TimeZone       string
}

// RollupAgencies lists every agency (~20 000 at national scale), by id.
func (s *Store) RollupAgencies(ctx context.Context) ([]RollupAgency, error) {
	return s.rollupAgencies(ctx, "", nil, "id")
}

// RollupAgencyByCodes returns the agencies with these codes.
func (s *Store) RollupAgencyByCodes(ctx context.Context, codes []string) ([]RollupAgency, error) {
	in, args := s.inList("code", codes, 1)
	return s.rollupAgencies(ctx, " WHERE "+in, args, "code")
}

// RollupAgencyChildren returns an agency's direct children by code
// (parentID 0: the roots).
func (s *Store) RollupAgencyChildren(ctx context.Context, parentID int64) ([]RollupAgency, error) {
	if parentID == 0 {
		return s.rollupAgencies(ctx, " WHERE parent_id IS NULL", nil, "code")
	}
	return s.rollupAgencies(ctx, " WHERE parent_id = "+s.placeholder(1), []any{parentID}, "code")
}

func (s *Store) rollupAgencies(ctx context.Context, where string, args []any, order string) ([]RollupAgency, error) {
	rs, err := s.pool().QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), depth, code, kind, name, short_name, path, government_code, time_zone
		FROM agencies`+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, s.wrapRaw("rollup agencies", err)
	}
	defer rs.Close()
	var out []RollupAgency
	for rs.Next() {
		var a RollupAgency
		var kind string
		if err := rs.Scan(&a.ID, &a.ParentID, &a.Depth, &a.Code, &kind, &a.Name, &a.ShortName, &a.Path, &a.GovernmentCode, &a.TimeZone); err != nil {
			return nil, s.wrapRaw("rollup agencies", err)
		}
		a.Kind = domain.AgencyKind(kind)
		out = append(out, a)
	}
	return out, s.wrapRaw("rollup agencies", rs.Err())
}

// RollupMonth is one dirty (agency, month) pair; Month is YYYY-MM.
type RollupMonth struct {
	AgencyID int64
	Month    string
	MarkedAt time.Time
}

var rollupDirtyInsert = bulkInsert{
	table:   "rollup_dirty",
	cols:    []string{"agency_id", "month", "marked_at"},
	pgTypes: []string{"bigint", "text", "timestamptz"},
	suffix:  "ON CONFLICT (agency_id, month) DO UPDATE SET marked_at = excluded.marked_at",
}

// MarkRollupMonths records that the own figures of these (agency, month)
// pairs may have changed.
func (s *Store) MarkRollupMonths(ctx context.Context, ms []RollupMonth, at time.Time) error {
	type key struct {
		id int64
		m  string
	}
	seen := make(map[key]bool, len(ms))
	rows := make([][]any, 0, len(ms))
	at = utcMicro(at)
	for _, m := range ms {
		k := key{m.AgencyID, m.Month}
		if m.AgencyID == 0 || seen[k] {
			continue // one statement may not touch a row twice
		}
		seen[k] = true
		rows = append(rows, []any{m.AgencyID, m.Month, at})
	}
	slices.SortFunc(rows, func(a, b []any) int { // one lock order between writers
		return cmp.Or(cmp.Compare(a[0].(int64), b[0].(int64)), strings.Compare(a[1].(string), b[1].(string)))
	})
	return s.wrapRaw("mark rollups dirty", s.bulkInsert(ctx, rollupDirtyInsert, rows, nil))
}

// MarkRollupsForComplaints marks the (agency, local month) pairs that the
// stored first-response and completion clocks of these complaints touch:
// the months of their start, due date and stop. The clock engine calls it in
// its transaction before and after replacing clocks, so both the old and the
// new state are covered.
func (s *Store) MarkRollupsForComplaints(ctx context.Context, complaintIDs []int64, at time.Time) error {
	var marks []RollupMonth
	for _, ids := range chunks(complaintIDs, 5000) {
		in, args := s.int64List("k.complaint_id", ids, 1)
		rs, err := s.pool().QueryContext(ctx, `SELECT k.agency_id, a.time_zone, k.started_at, k.due_at, k.stopped_at
			FROM complaint_clocks k JOIN agencies a ON a.id = k.agency_id
			WHERE k.kind IN ('first_response', 'completion') AND `+in, args...)
		if err != nil {
			return s.wrapRaw("rollup marks", err)
		}
		for rs.Next() {
			var id int64
			var tz string
			var st, due, stop scanTime
			if err := rs.Scan(&id, &tz, &st, &due, &stop); err != nil {
				rs.Close()
				return s.wrapRaw("rollup marks", err)
			}
			loc := zone(tz)
			marks = append(marks, RollupMonth{AgencyID: id, Month: st.t.In(loc).Format("2006-01")},
				RollupMonth{AgencyID: id, Month: due.t.In(loc).Format("2006-01")})
			if stop.valid {
				marks = append(marks, RollupMonth{AgencyID: id, Month: stop.t.In(loc).Format("2006-01")})
			}
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return s.wrapRaw("rollup marks", err)
		}
	}
	return s.MarkRollupMonths(ctx, marks, at)
}

// DirtyRollupMonths returns up to limit dirty pairs, oldest mark first.
func (s *Store) DirtyRollupMonths(ctx context.Context, limit int) ([]RollupMonth, error) {
	rs, err := s.pool().QueryContext(ctx, `SELECT agency_id, month, marked_at FROM rollup_dirty ORDER BY marked_at, agency_id, month LIMIT `+s.placeholder(1), limit)
	if err != nil {
		return nil, s.wrapRaw("dirty rollups", err)
	}
	defer rs.Close()
	var out []RollupMonth
	for rs.Next() {
		var m RollupMonth
		var at scanTime
		if err := rs.Scan(&m.AgencyID, &m.Month, &at); err != nil {
			return nil, s.wrapRaw("dirty rollups", err)
		}
		m.MarkedAt = at.t
		out = append(out, m)
	}
	return out, s.wrapRaw("dirty rollups", rs.Err())
}

// CountDirtyRollupMonths counts the pairs waiting for a refresh.
func (s *Store) CountDirtyRollupMonths(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool().QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_dirty`).Scan(&n)
	return n, s.wrapRaw("count dirty rollups", err)
}

// ClearRollupMonths removes the marks unless renewed after they were read.
func (s *Store) ClearRollupMonths(ctx context.Context, ms []RollupMonth) error {
	q := `DELETE FROM rollup_dirty WHERE agency_id = ` + s.placeholder(1) + ` AND month = ` + s.placeholder(2) + ` AND marked_at <= ` + s.placeholder(3)
	for _, m := range ms {
		if _, err := s.pool().ExecContext(ctx, q, m.AgencyID, m.Month, utcMicro(m.MarkedAt)); err != nil {
			return s.wrapRaw("clear dirty rollups", err)
		}
	}
	return nil
}

// ClearAllRollupMonths removes every mark set at or before the given time
// (a full rebuild covers them).
func (s *Store) ClearAllRollupMonths(ctx context.Context, before time.Time) error {
	_, err := s.pool().ExecContext(ctx, `DELETE FROM rollup_dirty WHERE marked_at <= `+s.placeholder(1), utcMicro(before))
	return s.wrapRaw("clear dirty rollups", err)
}

// LockRollups serialises refreshes: inside a transaction on PostgreSQL it
// takes a transaction-scoped advisory lock; SQLite transactions already
// hold the write lock from their start (_txlock=immediate).
func (s *Store) LockRollups(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := s.pool().ExecContext(ctx, `SELECT pg_advisory_xact_lock(7361626701)`)
	return s.wrapRaw("lock rollups", err)
}

// RollupClock is a first-response or completion clock as the roll-ups read it.
type RollupClock struct {
	ID              int64
	ComplaintID     int64
	AgencyID        int64
	Kind            domain.ClockKind
	Cycle           int
	StartedAt       time.Time
	DueAt           time.Time
	StoppedAt       *time.Time
	WorkingDaysUsed int
	Verdict         domain.Verdict
}

// RollupEvent is an event that decides a roll-up counter: responded,
// completed or rejected. AgencyID is 0 when the event names no agency.
type RollupEvent struct {
	ComplaintID int64
	Kind        domain.EventKind
	At          time.Time
	AgencyID    int64
}

// RollupFacts is everything the roll-ups read about a set of complaints:
// all their first-response and completion clocks (of every agency) and
// their deciding events, each sorted by complaint id.
type RollupFacts struct {
	Clocks []RollupClock
	Events []RollupEvent
}

// RollupFactsFor loads the facts of every complaint that has a
// first-response or completion clock of one of the agencies which starts,
// falls due or stops in [from, to); a zero from selects all their clocks.
func (s *Store) RollupFactsFor(ctx context.Context, agencyIDs []int64, from, to time.Time) (RollupFacts, error) {
	var f RollupFacts
	var complaintIDs []int64
	for _, ids := range chunks(agencyIDs, 5000) {
		in, args := s.int64List("agency_id", ids, 1)
		q := `SELECT DISTINCT complaint_id FROM complaint_clocks WHERE kind IN ('first_response', 'completion') AND ` + in
		if !from.IsZero() {
			n := len(args) + 1
			p1, p2 := s.placeholder(n), s.placeholder(n+1)
			q += ` AND ((started_at >= ` + p1 + ` AND started_at < ` + p2 + `) OR (due_at >= ` + p1 + ` AND due_at < ` + p2 +
				`) OR (stopped_at >= ` + p1 + ` AND stopped_at < ` + p2 + `))`
			if s.dialect == SQLite { // "?" parameters are positional
				args = append(args, utcMicro(from), utcMicro(to), utcMicro(from), utcMicro(to), utcMicro(from), utcMicro(to))
			} else {
				args = append(args, utcMicro(from), utcMicro(to))
			}
		}
		rs, err := s.pool().QueryContext(ctx, q, args...)
		if err != nil {
			return f, s.wrapRaw("rollup complaints", err)
		}
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return f, s.wrapRaw("rollup complaints", err)
			}
			complaintIDs = append(complaintIDs, id)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return f, s.wrapRaw("rollup complaints", err)
		}
	}
	slices.Sort(complaintIDs)
	complaintIDs = slices.Compact(complaintIDs)
	return s.RollupFactsOf(ctx, complaintIDs)
}

// RollupFactsOf loads the facts of the given complaints.
func (s *Store) RollupFactsOf(ctx context.Context, complaintIDs []int64) (RollupFacts, error) {
	var f RollupFacts
	for _, ids := range chunks(complaintIDs, 5000) {
		in, args := s.int64List("complaint_id", ids, 1)
		rs, err := s.pool().QueryContext(ctx, `SELECT id, complaint_id, agency_id, kind, cycle, started_at, due_at, stopped_at, working_days_used, verdict
			FROM complaint_clocks WHERE kind IN ('first_response', 'completion') AND `+in+` ORDER BY complaint_id, id`, args...)
		if err != nil {
			return f, s.wrapRaw("rollup clocks", err)
		}
		for rs.Next() {
			var c RollupClock
			var kind, verdict string
			var st, due, stop scanTime
			if err := rs.Scan(&c.ID, &c.ComplaintID, &c.AgencyID, &kind, &c.Cycle, &st, &due, &stop, &c.WorkingDaysUsed, &verdict); err != nil {
				rs.Close()
				return f, s.wrapRaw("rollup clocks", err)
			}
			c.Kind, c.Verdict, c.StartedAt, c.DueAt, c.StoppedAt = domain.ClockKind(kind), domain.Verdict(verdict), st.t, due.t, stop.ptr()
			f.Clocks = append(f.Clocks, c)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return f, s.wrapRaw("rollup clocks", err)
		}
		in, args = s.int64List("complaint_id", ids, 1)
		rs, err = s.pool().QueryContext(ctx, `SELECT complaint_id, kind, at, COALESCE(agency_id, 0)
			FROM complaint_events WHERE kind IN ('responded', 'completed', 'rejected') AND `+in+` ORDER BY complaint_id, at, id`, args...)
		if err != nil {
			return f, s.wrapRaw("rollup events", err)
		}
		for rs.Next() {
			var e RollupEvent
			var kind string
			var at scanTime
			if err := rs.Scan(&e.ComplaintID, &kind, &at, &e.AgencyID); err != nil {
				rs.Close()
				return f, s.wrapRaw("rollup events", err)
			}
			e.Kind, e.At = domain.EventKind(kind), at.t
			f.Events = append(f.Events, e)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return f, s.wrapRaw("rollup events", err)
		}
	}
	return f, nil
}

// RunningClock is a running first-response or completion clock.
type RunningClock struct {
	ComplaintID int64
	AgencyID    int64
	Kind        domain.ClockKind
	Verdict     domain.Verdict
}

// RunningClocksOf lists the running clocks of the agencies.
func (s *Store) RunningClocksOf(ctx context.Context, agencyIDs []int64) ([]RunningClock, error) {
	var out []RunningClock
	for _, ids := range chunks(agencyIDs, 5000) {
		in, args := s.int64List("agency_id", ids, 1)
		rs, err := s.pool().QueryContext(ctx, `SELECT complaint_id, agency_id, kind, verdict FROM complaint_clocks
			WHERE stopped_at IS NULL AND kind IN ('first_response', 'completion') AND `+in, args...)
		if err != nil {
			return nil, s.wrapRaw("running clocks", err)
		}
		for rs.Next() {
			var c RunningClock
			var kind, verdict string
			if err := rs.Scan(&c.ComplaintID, &c.AgencyID, &kind, &verdict); err != nil {
				rs.Close()
				return nil, s.wrapRaw("running clocks", err)
			}
			c.Kind, c.Verdict = domain.ClockKind(kind), domain.Verdict(verdict)
			out = append(out, c)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, s.wrapRaw("running clocks", err)
		}
	}
	return out, nil
}

var rollupCols = []string{"agency_id", "scope", "period_key", "period_kind", "period_start", "period_end",
	"received", "forwarded_out", "rejected", "assigned", "responded", "completed",
	"fr_due", "fr_on_time", "fr_open_overdue", "fr_pending", "cp_due", "cp_on_time", "cp_open_overdue", "cp_pending",
	"fr_days", "cp_days", "updated_at"}

var rollupInsert = bulkInsert{
	table: "rollups",
	cols:  rollupCols,
	pgTypes: []string{"bigint", "text", "text", "text", "text", "text", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint",
		"bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "text", "text", "timestamptz"},
	copy: true,
}

// InsertRollups stores rows (their keys must not be stored yet).
func (s *Store) InsertRollups(ctx context.Context, rows []Rollup) error {
	vals := make([][]any, 0, len(rows))
	for _, r := range rows {
		c := r.Counts
		vals = append(vals, []any{r.AgencyID, r.Scope, r.PeriodKey, string(r.PeriodKind), r.PeriodStart, r.PeriodEnd,
			c.Received, c.ForwardedOut, c.Rejected, c.Assigned, c.Responded, c.Completed,
			c.FRDue, c.FROnTime, c.FROpenOverdue, c.FRPending, c.CPDue, c.CPOnTime, c.CPOpenOverdue, c.CPPending,
			r.FirstResponseDays.String(), r.CompletionDays.String(), utcMicro(r.UpdatedAt)})
	}
	return s.wrapRaw("insert rollups", s.bulkInsert(ctx, rollupInsert, vals, nil))
}

// RollupFilter selects stored rows. Empty lists mean "any".
type RollupFilter struct {
	Scope     string
	AgencyIDs []int64
	ParentIDs []int64 // rows of the children of these agencies
	Keys      []string
	KeyPrefix string // e.g. "2024-" for the months and quarters of 2024
}

func (s *Store) rollupWhere(f RollupFilter, p string) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.Scope != "" {
		add(p+"scope = "+s.placeholder(len(args)+1), f.Scope)
	}
	if len(f.AgencyIDs) > 0 {
		c, a := s.int64List(p+"agency_id", f.AgencyIDs, len(args)+1)
		add(c, a...)
	}
	if len(f.ParentIDs) > 0 {
		c, a := s.int64List("parent_id", f.ParentIDs, len(args)+1)
		add(p+"agency_id IN (SELECT id FROM agencies WHERE "+c+")", a...)
	}
	if len(f.Keys) > 0 {
		c, a := s.inList(p+"period_key", f.Keys, len(args)+1)
		add(c, a...)
	}
	if f.KeyPrefix != "" {
		lo, hi := f.KeyPrefix, f.KeyPrefix[:len(f.KeyPrefix)-1]+string(f.KeyPrefix[len(f.KeyPrefix)-1]+1)
		add(p+"period_key >= "+s.placeholder(len(args)+1)+" AND "+p+"period_key < "+s.placeholder(len(args)+2), lo, hi)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// DeleteRollups removes the rows the filter selects.
func (s *Store) DeleteRollups(ctx context.Context, f RollupFilter) error {
	where, args := s.rollupWhere(f, "")
	_, err := s.pool().ExecContext(ctx, "DELETE FROM rollups"+where, args...)
	return s.wrapRaw("delete rollups", err)
}

// Rollups returns the rows the filter selects, by agency and period key.
func (s *Store) Rollups(ctx context.Context, f RollupFilter) ([]Rollup, error) {
	where, args := s.rollupWhere(f, "r.")
	rs, err := s.pool().QueryContext(ctx, "SELECT "+prefixCols("r.", rollupCols)+" FROM rollups r"+where+" ORDER BY r.agency_id, r.scope, r.period_key", args...)
	if err != nil {
		return nil, s.wrapRaw("rollups", err)
	}
	defer rs.Close()
	var out []Rollup
	for rs.Next() {
		r, err := scanRollup(rs)
		if err != nil {
			return nil, s.wrapRaw("rollups", err)
		}
		out = append(out, r)
	}
	return out, s.wrapRaw("rollups", rs.Err())
}

func prefixCols(p string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + c
	}
	return strings.Join(out, ", ")
}

func scanRollup(rs *sql.Rows) (Rollup, error) {
	var r Rollup
	var kind, fr, cp string
	var at scanTime
	c := &r.Counts
	if err := rs.Scan(&r.AgencyID, &r.Scope, &r.PeriodKey, &kind, &r.PeriodStart, &r.PeriodEnd,
		&c.Received, &c.ForwardedOut, &c.Rejected, &c.Assigned, &c.Responded, &c.Completed,
		&c.FRDue, &c.FROnTime, &c.FROpenOverdue, &c.FRPending, &c.CPDue, &c.CPOnTime, &c.CPOpenOverdue, &c.CPPending,
		&fr, &cp, &at); err != nil {
		return r, err
	}
	r.PeriodKind, r.UpdatedAt = stats.PeriodKind(kind), at.t
	if err := r.FirstResponseDays.UnmarshalText([]byte(fr)); err != nil {
		return r, fmt.Errorf("rollup %d %s fr_days: %w", r.AgencyID, r.PeriodKey, err)
	}
	if err := r.CompletionDays.UnmarshalText([]byte(cp)); err != nil {
		return r, fmt.Errorf("rollup %d %s cp_days: %w", r.AgencyID, r.PeriodKey, err)
	}
	return r, nil
}

var currentInsert = bulkInsert{
	table:   "rollup_current",
	cols:    []string{"agency_id", "scope", "open", "overdue", "at_risk", "updated_at"},
	pgTypes: []string{"bigint", "text", "bigint", "bigint", "bigint", "timestamptz"},
	copy:    true,
}

// ReplaceRollupCurrent deletes the scope's current counts of the agencies
// (all agencies when ids is nil) and stores rows.
func (s *Store) ReplaceRollupCurrent(ctx context.Context, scope string, ids []int64, rows []RollupCurrent) error {
	if ids == nil {
		if _, err := s.pool().ExecContext(ctx, `DELETE FROM rollup_current WHERE scope = `+s.placeholder(1), scope); err != nil {
			return s.wrapRaw("replace current counts", err)
		}
	}
	for _, chunk := range chunks(ids, 5000) {
		in, args := s.int64List("agency_id", chunk, 2)
		if _, err := s.pool().ExecContext(ctx, `DELETE FROM rollup_current WHERE scope = `+s.placeholder(1)+` AND `+in, append([]any{scope}, args...)...); err != nil {
			return s.wrapRaw("replace current counts", err)
		}
	}
	vals := make([][]any, 0, len(rows))
	for _, r := range rows {
		vals = append(vals, []any{r.AgencyID, scope, r.Open, r.Overdue, r.AtRisk, utcMicro(r.UpdatedAt)})
	}
	return s.wrapRaw("replace current counts", s.bulkInsert(ctx, currentInsert, vals, nil))
}

// RollupCurrents returns current counts of the scope for the agencies
// (all when ids is nil), or of the children of parentIDs.
func (s *Store) RollupCurrents(ctx context.Context, scope string, ids, parentIDs []int64) ([]RollupCurrent, error) {
	q := `SELECT agency_id, scope, open, overdue, at_risk, updated_at FROM rollup_current WHERE scope = ` + s.placeholder(1)
	args := []any{scope}
	if ids != nil {
		c, a := s.int64List("agency_id", ids, 2)
		q += " AND " + c
		args = append(args, a...)
	}
	if parentIDs != nil {
		c, a := s.int64List("parent_id", parentIDs, len(args)+1)
		q += " AND agency_id IN (SELECT id FROM agencies WHERE " + c + ")"
		args = append(args, a...)
	}
	rs, err := s.pool().QueryContext(ctx, q+" ORDER BY agency_id", args...)
	if err != nil {
		return nil, s.wrapRaw("current counts", err)
	}
	defer rs.Close()
	var out []RollupCurrent
	for rs.Next() {
		var r RollupCurrent
		var at scanTime
		if err := rs.Scan(&r.AgencyID, &r.Scope, &r.Open, &r.Overdue, &r.AtRisk, &at); err != nil {
			return nil, s.wrapRaw("current counts", err)
		}
		r.UpdatedAt = at.t
		out = append(out, r)
	}
	return out, s.wrapRaw("current counts", rs.Err())
}

// RollupState reads a refresh state value ("" when unset).
func (s *Store) RollupState(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool().QueryRowContext(ctx, `SELECT value FROM rollup_state WHERE name = `+s.placeholder(1), name).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, s.wrapRaw("rollup state", err)
}

// SetRollupState writes a refresh state value.
func (s *Store) SetRollupState(ctx context.Context, name, value string, at time.Time) error {
	_, err := s.pool().ExecContext(ctx, `INSERT INTO rollup_state (name, value, updated_at) VALUES (`+s.placeholder(1)+`, `+s.placeholder(2)+`, `+s.placeholder(3)+`)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, utcMicro(at))
	return s.wrapRaw("set rollup state", err)
}

// OverdueItem is a public line of an agency's overdue or at-risk list: no
// reporter data, and no title for a confidential complaint.
type OverdueItem struct {
	Source       string
	TrackingID   string
	Category     string
	ReportType   domain.ReportType
	Title        string // empty when confidential
	Confidential bool
	AgencyCode   string
	Kind         domain.ClockKind
	DueAt        time.Time
	TimeZone     string
}

// RunningClocksByVerdict pages through the running clocks with the verdict
// of agencies in the subtree at path (or of the one agency when own), the
// most overdue first, and returns the total.
func (s *Store) RunningClocksByVerdict(ctx context.Context, agencyID int64, path string, own bool, verdict domain.Verdict, limit, offset int) ([]OverdueItem, int64, error) {
	where := `k.stopped_at IS NULL AND k.kind IN ('first_response', 'completion') AND k.verdict = ` + s.placeholder(1)
	args := []any{string(verdict)}
	if own {
		where += ` AND k.agency_id = ` + s.placeholder(2)
		args = append(args, agencyID)
	} else {
		lo, hi := subtreeBounds(path)
		where += ` AND a.path >= ` + s.placeholder(2) + ` AND a.path < ` + s.placeholder(3)
		args = append(args, lo, hi)
	}
	from := ` FROM complaint_clocks k JOIN agencies a ON a.id = k.agency_id JOIN complaints c ON c.id = k.complaint_id WHERE ` + where
	var total int64
	if err := s.pool().QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, s.wrapRaw("overdue list", err)
	}
	n := len(args)
	rs, err := s.pool().QueryContext(ctx, `SELECT c.source, c.tracking_id, c.category, c.report_type,
		CASE WHEN c.confidential THEN '' ELSE c.title END, c.confidential, a.code, k.kind, k.due_at, a.time_zone`+from+
		` ORDER BY k.due_at, k.id LIMIT `+s.placeholder(n+1)+` OFFSET `+s.placeholder(n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, s.wrapRaw("overdue list", err)
	}
	defer rs.Close()
	var out []OverdueItem
	for rs.Next() {
		var it OverdueItem
		var rt, kind string
		var due scanTime
		if err := rs.Scan(&it.Source, &it.TrackingID, &it.Category, &rt, &it.Title, &it.Confidential, &it.AgencyCode, &kind, &due, &it.TimeZone); err != nil {
			return nil, 0, s.wrapRaw("overdue list", err)
		}
		it.ReportType, it.Kind = domain.ReportType(rt), domain.ClockKind(kind)
		it.DueAt = due.t.In(zone(it.TimeZone))
		out = append(out, it)
	}
	return out, total, s.wrapRaw("overdue list", rs.Err())
}
