package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

type clockRow struct {
	ID                int64 `gorm:"primaryKey"`
	ComplaintID       int64
	AgencyID          int64
	GovernmentCode    string
	Kind              string
	Cycle             int
	StartedAt         time.Time
	DueAt             time.Time
	StoppedAt         *time.Time
	LimitDays         int
	WorkingDaysUsed   int
	PausedWorkingDays int
	Pauses            string
	Verdict           string
	PolicyVersion     string
	PolicyRule        int
	CalendarVersion   string
	NextCheckAt       *time.Time
	ComputedAt        time.Time
	// Read through a join, never written.
	AgencyCode string `gorm:"->;-:migration"`
	TimeZone   string `gorm:"->;-:migration"`
}

func (clockRow) TableName() string { return "complaint_clocks" }

// ClockRecord is a stored clock with what storage adds to domain.Clock: the
// complaint it belongs to, when it was computed and when time alone next
// changes its verdict.
type ClockRecord struct {
	ComplaintID    int64
	AgencyID       int64
	GovernmentCode string
	Clock          domain.Clock
	// TimeZone is the agency's zone; the Clock's times are in it.
	TimeZone    string
	NextCheckAt *time.Time
	ComputedAt  time.Time
}

var zones sync.Map // zone name → *time.Location

// zone loads a location once; an unknown name falls back to UTC rather than
// failing a read (agency zones are validated on write).
func zone(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}

func (r clockRow) toRecord() (ClockRecord, error) {
	loc := zone(r.TimeZone)
	c := domain.Clock{
		Kind: domain.ClockKind(r.Kind), AgencyCode: r.AgencyCode, Cycle: r.Cycle,
		StartedAt: r.StartedAt.In(loc), DueAt: r.DueAt.In(loc), LimitDays: r.LimitDays,
		WorkingDaysUsed: r.WorkingDaysUsed, PausedWorkingDays: r.PausedWorkingDays,
		Verdict: domain.Verdict(r.Verdict), PolicyVersion: r.PolicyVersion, PolicyRule: r.PolicyRule,
		CalendarVersion: r.CalendarVersion,
	}
	if r.StoppedAt != nil {
		t := r.StoppedAt.In(loc)
		c.StoppedAt = &t
	}
	if r.Pauses != "" && r.Pauses != "[]" {
		if err := json.Unmarshal([]byte(r.Pauses), &c.Pauses); err != nil {
			return ClockRecord{}, fmt.Errorf("store: clock %d pauses: %w", r.ID, err)
		}
		for i := range c.Pauses {
			c.Pauses[i].From, c.Pauses[i].To = c.Pauses[i].From.In(loc), c.Pauses[i].To.In(loc)
		}
	}
	rec := ClockRecord{ComplaintID: r.ComplaintID, AgencyID: r.AgencyID, GovernmentCode: r.GovernmentCode, Clock: c,
		TimeZone: r.TimeZone, ComputedAt: r.ComputedAt.UTC()}
	if r.NextCheckAt != nil {
		t := r.NextCheckAt.UTC()
		rec.NextCheckAt = &t
	}
	return rec, nil
}

func recordToRow(rec ClockRecord) (clockRow, error) {
	c := rec.Clock
	pauses := "[]"
	if len(c.Pauses) > 0 {
		ps := make([]domain.ClockPause, len(c.Pauses))
		for i, p := range c.Pauses {
			p.From, p.To = p.From.UTC(), p.To.UTC()
			ps[i] = p
		}
		b, err := json.Marshal(ps)
		if err != nil {
			return clockRow{}, err
		}
		pauses = string(b)
	}
	return clockRow{
		ComplaintID: rec.ComplaintID, AgencyID: rec.AgencyID, GovernmentCode: rec.GovernmentCode,
		Kind: string(c.Kind), Cycle: c.Cycle, StartedAt: c.StartedAt.UTC(), DueAt: c.DueAt.UTC(), StoppedAt: utcPtr(c.StoppedAt),
		LimitDays: c.LimitDays, WorkingDaysUsed: c.WorkingDaysUsed, PausedWorkingDays: c.PausedWorkingDays, Pauses: pauses,
		Verdict: string(c.Verdict), PolicyVersion: c.PolicyVersion, PolicyRule: c.PolicyRule, CalendarVersion: c.CalendarVersion,
		NextCheckAt: utcPtr(rec.NextCheckAt), ComputedAt: rec.ComputedAt.UTC(),
	}, nil
}

// ClockWriteResult counts what ReplaceOpenClocks did.
type ClockWriteResult struct {
	Written int64 // open or newly stopped clocks written
	Frozen  int64 // computed clocks skipped because the stored one had stopped
}

// ReplaceOpenClocks stores freshly computed clocks for the given complaints:
// their stored running clocks are replaced, and a computed clock whose key
// (complaint, agency, kind, cycle) is already stored as stopped is skipped,
// because a stopped clock is frozen. complaintIDs must list every complaint
// recomputed, even one that now has no clocks. Run it inside InBulkTx (COPY
// on PostgreSQL) or InTx, so readers never see a complaint without clocks.
func (s *Store) ReplaceOpenClocks(ctx context.Context, complaintIDs []int64, recs []ClockRecord) (ClockWriteResult, error) {
	if s.dialect == Postgres {
		return s.replaceOpenClocksPG(ctx, complaintIDs, recs)
	}
	var res ClockWriteResult
	for _, ids := range chunks(complaintIDs, 5000) {
		in, args := s.int64List("complaint_id", ids, 1)
		if _, err := s.pool().ExecContext(ctx, "DELETE FROM complaint_clocks WHERE stopped_at IS NULL AND "+in, args...); err != nil {
			return res, s.wrapRaw("clear open clocks", err)
		}
	}
	if len(recs) == 0 {
		return res, nil
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		row, err := recordToRow(r)
		if err != nil {
			return res, fmt.Errorf("store: clock of complaint %d: %w", r.ComplaintID, err)
		}
		rows[i] = []any{row.ComplaintID, row.AgencyID, row.GovernmentCode, row.Kind, row.Cycle, utcMicro(row.StartedAt),
			utcMicro(row.DueAt), nullTime(row.StoppedAt), row.LimitDays, row.WorkingDaysUsed, row.PausedWorkingDays, row.Pauses,
			row.Verdict, row.PolicyVersion, row.PolicyRule, row.CalendarVersion, nullTime(row.NextCheckAt), utcMicro(row.ComputedAt)}
	}
	err := s.bulkInsert(ctx, clockInsert, rows, func(rs *sql.Rows) error {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return err
		}
		res.Written++
		return nil
	})
	if err != nil {
		return res, s.wrapRaw("insert clocks", err)
	}
	res.Frozen = int64(len(recs)) - res.Written
	return res, nil
}

// writeOpenClocksSQL applies a replace decided in Go: delete the running
// clocks no longer computed, update the running ones recomputed (in place:
// the row keeps its id and WAL carries one new version instead of a delete
// and an insert), insert the new keys. The computed clocks arrive as parallel
// arrays, one round trip per batch. Every scan of complaint_clocks is bound
// to an id list, so no plan can walk the whole table.
const writeOpenClocksSQL = `WITH d AS (
	DELETE FROM complaint_clocks WHERE id = ANY($1::bigint[]) AND stopped_at IS NULL RETURNING 1
), v AS (
	SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::integer[], $8::timestamptz[],
		$9::timestamptz[], $10::timestamptz[], $11::integer[], $12::integer[], $13::integer[], $14::text[], $15::text[], $16::text[],
		$17::integer[], $18::text[], $19::timestamptz[], $20::timestamptz[])
	AS v(id, complaint_id, agency_id, government_code, kind, cycle, started_at, due_at, stopped_at, limit_days, working_days_used,
		paused_working_days, pauses, verdict, policy_version, policy_rule, calendar_version, next_check_at, computed_at)
), u AS (
	UPDATE complaint_clocks k SET government_code = v.government_code, started_at = v.started_at, due_at = v.due_at,
		stopped_at = v.stopped_at, limit_days = v.limit_days, working_days_used = v.working_days_used,
		paused_working_days = v.paused_working_days, pauses = v.pauses, verdict = v.verdict, policy_version = v.policy_version,
		policy_rule = v.policy_rule, calendar_version = v.calendar_version, next_check_at = v.next_check_at, computed_at = v.computed_at
	FROM v WHERE v.id <> 0 AND k.id = v.id AND k.id = ANY($2::bigint[]) AND k.stopped_at IS NULL
	RETURNING 1
), i AS (
	INSERT INTO complaint_clocks (complaint_id, agency_id, government_code, kind, cycle, started_at, due_at, stopped_at, limit_days,
		working_days_used, paused_working_days, pauses, verdict, policy_version, policy_rule, calendar_version, next_check_at, computed_at)
	SELECT complaint_id, agency_id, government_code, kind, cycle, started_at, due_at, stopped_at, limit_days,
		working_days_used, paused_working_days, pauses, verdict, policy_version, policy_rule, calendar_version, next_check_at, computed_at
	FROM v WHERE v.id = 0
	ON CONFLICT (complaint_id, agency_id, kind, cycle) DO NOTHING
	RETURNING 1
)
SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM i), (SELECT count(*) FROM d)`

// clockKey is a stored clock's identity within its complaint.
type clockKey struct {
	complaintID, agencyID int64
	kind                  string
	cycle                 int
}

// replaceOpenClocksPG is ReplaceOpenClocks on PostgreSQL: lock the batch's
// stored clocks, match the computed ones to them by key in Go, and write
// the difference in one statement.
func (s *Store) replaceOpenClocksPG(ctx context.Context, complaintIDs []int64, recs []ClockRecord) (ClockWriteResult, error) {
	var res ClockWriteResult
	if len(complaintIDs) == 0 {
		return res, nil
	}
	// No row locks (they would write every stopped clock's tuple): the
	// write re-checks stopped_at, so a clock stopped meanwhile stays frozen,
	// and a key inserted meanwhile is left to its writer.
	rs, err := s.pool().QueryContext(ctx, `SELECT id, complaint_id, agency_id, kind, cycle, stopped_at IS NOT NULL
		FROM complaint_clocks WHERE complaint_id = ANY($1)`, complaintIDs)
	if err != nil {
		return res, s.wrapRaw("lock clocks", err)
	}
	type stored struct {
		id      int64
		stopped bool
		matched bool
	}
	byKey := make(map[clockKey]*stored, len(recs)+len(recs)/2)
	for rs.Next() {
		var k clockKey
		var st stored
		if err := rs.Scan(&st.id, &k.complaintID, &k.agencyID, &k.kind, &k.cycle, &st.stopped); err != nil {
			rs.Close()
			return res, s.wrapRaw("lock clocks", err)
		}
		byKey[k] = &st
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return res, s.wrapRaw("lock clocks", err)
	}

	n := len(recs)
	var (
		id, complaint, agency                        = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		cycle, limit, used, paused, rule             = make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n)
		gov, kind, pauses, verdict, policy, calendar = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		started, due, computed                       = make([]time.Time, 0, n), make([]time.Time, 0, n), make([]time.Time, 0, n)
		stopped, nextCheck                           = make([]*time.Time, 0, n), make([]*time.Time, 0, n)
	)
	for _, r := range recs {
		row, err := recordToRow(r)
		if err != nil {
			return res, fmt.Errorf("store: clock of complaint %d: %w", r.ComplaintID, err)
		}
		var target int64 // 0: a new key
		if st := byKey[clockKey{row.ComplaintID, row.AgencyID, row.Kind, row.Cycle}]; st != nil {
			if st.stopped {
				res.Frozen++
				continue
			}
			st.matched, target = true, st.id
		}
		id, complaint, agency = append(id, target), append(complaint, row.ComplaintID), append(agency, row.AgencyID)
		gov, kind, cycle = append(gov, row.GovernmentCode), append(kind, row.Kind), append(cycle, int32(row.Cycle))
		started, due, stopped = append(started, utcMicro(row.StartedAt)), append(due, utcMicro(row.DueAt)), append(stopped, microPtr(row.StoppedAt))
		limit, used, paused = append(limit, int32(row.LimitDays)), append(used, int32(row.WorkingDaysUsed)), append(paused, int32(row.PausedWorkingDays))
		pauses, verdict, policy = append(pauses, row.Pauses), append(verdict, row.Verdict), append(policy, row.PolicyVersion)
		rule, calendar = append(rule, int32(row.PolicyRule)), append(calendar, row.CalendarVersion)
		nextCheck, computed = append(nextCheck, microPtr(row.NextCheckAt)), append(computed, utcMicro(row.ComputedAt))
	}
	var gone []int64
	for _, st := range byKey {
		if !st.stopped && !st.matched {
			gone = append(gone, st.id)
		}
	}
	var deleted int64
	// An unnamed statement (DescribeExec) is planned with the actual
	// arrays; a cached generic plan assumes ten rows per array and may
	// nest-loop the update's join, quadratic in the batch.
	err = s.pool().QueryRowContext(ctx, writeOpenClocksSQL, pgx.QueryExecModeDescribeExec, gone, id, complaint, agency, gov, kind, cycle,
		started, due, stopped, limit, used, paused, pauses, verdict, policy, rule, calendar, nextCheck, computed).Scan(&res.Written, &deleted)
	if err != nil {
		return res, s.wrapRaw("replace open clocks", err)
	}
	// A key taken meanwhile by another writer's insert counts as frozen, as
	// in the generic path.
	res.Frozen = int64(n) - res.Written
	return res, nil
}

func microPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utcMicro(*t)
	return &u
}

// clockInsert writes clocks; a key already held by a stopped clock (the
// running ones were just deleted) is skipped: that clock is frozen.
var clockInsert = bulkInsert{
	table: "complaint_clocks",
	cols: []string{"complaint_id", "agency_id", "government_code", "kind", "cycle", "started_at", "due_at", "stopped_at",
		"limit_days", "working_days_used", "paused_working_days", "pauses", "verdict", "policy_version", "policy_rule",
		"calendar_version", "next_check_at", "computed_at"},
	pgTypes: []string{"bigint", "bigint", "text", "text", "integer", "timestamptz", "timestamptz", "timestamptz",
		"integer", "integer", "integer", "text", "text", "text", "integer", "text", "timestamptz", "timestamptz"},
	suffix: "ON CONFLICT (complaint_id, agency_id, kind, cycle) DO NOTHING RETURNING id",
}

// int64List renders "col = ANY($n)" (PostgreSQL) or "col IN (?,...)"
// (SQLite) for ids, and its arguments.
func (s *Store) int64List(col string, ids []int64, first int) (string, []any) {
	if s.dialect == Postgres {
		return col + " = ANY(" + s.placeholder(first) + ")", []any{ids}
	}
	var b strings.Builder
	b.WriteString(col + " IN (")
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args[i] = id
	}
	b.WriteByte(')')
	return b.String(), args
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

func (s *Store) clockQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("complaint_clocks AS k").Select("k.*, a.code AS agency_code, a.time_zone AS time_zone").
		Joins("JOIN agencies AS a ON a.id = k.agency_id")
}

func toRecords(rows []clockRow) ([]ClockRecord, error) {
	out := make([]ClockRecord, len(rows))
	for i, r := range rows {
		rec, err := r.toRecord()
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	return out, nil
}

// ClocksOfComplaints returns the stored clocks of the complaints, grouped by
// complaint, each in cycle, then opening order.
func (s *Store) ClocksOfComplaints(ctx context.Context, complaintIDs []int64) (map[int64][]ClockRecord, error) {
	out := make(map[int64][]ClockRecord, len(complaintIDs))
	for _, ids := range chunks(complaintIDs, 5000) {
		var rows []clockRow
		if err := s.clockQuery(ctx).Where("k.complaint_id IN ?", ids).Order("k.complaint_id, k.cycle, k.started_at, k.id").Find(&rows).Error; err != nil {
			return nil, wrap("clocks of complaints", err)
		}
		recs, err := toRecords(rows)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out[r.ComplaintID] = append(out[r.ComplaintID], r)
		}
	}
	return out, nil
}

// OpenClockSpan is what deciding "does a holiday touch this clock" needs.
type OpenClockSpan struct {
	ComplaintID int64
	TimeZone    string
	StartedAt   time.Time
	DueAt       time.Time
}

// OpenClocksOverlapping returns the running clocks whose [started_at, due_at]
// overlaps [from, to), through the partial index on open clocks' due date.
// Callers pad the bounds for time zones and filter by local day.
func (s *Store) OpenClocksOverlapping(ctx context.Context, from, to time.Time) ([]OpenClockSpan, error) {
	// Raw SQL: a holiday inside every running window returns one row per
	// running clock, millions at national scale.
	rs, err := s.pool().QueryContext(ctx, `SELECT k.complaint_id, a.time_zone, k.started_at, k.due_at
		FROM complaint_clocks k JOIN agencies a ON a.id = k.agency_id
		WHERE k.stopped_at IS NULL AND k.due_at >= `+s.placeholder(1)+` AND k.started_at < `+s.placeholder(2), utcMicro(from), utcMicro(to))
	if err != nil {
		return nil, s.wrapRaw("open clocks overlapping", err)
	}
	defer rs.Close()
	var out []OpenClockSpan
	for rs.Next() {
		var sp OpenClockSpan
		var st, due scanTime
		if err := rs.Scan(&sp.ComplaintID, &sp.TimeZone, &st, &due); err != nil {
			return nil, s.wrapRaw("open clocks overlapping", err)
		}
		sp.StartedAt, sp.DueAt = st.t, due.t
		out = append(out, sp)
	}
	return out, s.wrapRaw("open clocks overlapping", rs.Err())
}

// ComplaintsToSweep returns up to limit complaints after the given id with a running clock whose
// verdict time alone has changed by now (next_check_at passed).
func (s *Store) ComplaintsToSweep(ctx context.Context, now time.Time, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&clockRow{}).Distinct("complaint_id").
		Where("stopped_at IS NULL AND next_check_at <= ? AND complaint_id > ?", now.UTC(), after).
		Order("complaint_id").Limit(limit).Pluck("complaint_id", &ids).Error
	return ids, wrap("complaints to sweep", err)
}

// ClockCounts counts stored clocks by verdict (for reports and tests).
func (s *Store) ClockCounts(ctx context.Context) (map[domain.Verdict]int64, error) {
	var rows []struct {
		Verdict string
		N       int64
	}
	if err := s.conn(ctx).Model(&clockRow{}).Select("verdict, COUNT(*) AS n").Group("verdict").Scan(&rows).Error; err != nil {
		return nil, wrap("clock counts", err)
	}
	out := map[domain.Verdict]int64{}
	for _, r := range rows {
		out[domain.Verdict(r.Verdict)] = r.N
	}
	return out, nil
}

// ClockInput is what the clock engine needs of one complaint: its fields
// (without the reporter) and its whole event history.
type ClockInput struct {
	ID        int64
	Complaint domain.Complaint
	Events    []domain.Event
}

// ClockInputs loads the complaints with their events, in id order. Unknown
// ids are left out. Raw SQL: this is the recompute's bulk read.
func (s *Store) ClockInputs(ctx context.Context, ids []int64) ([]ClockInput, error) {
	var out []ClockInput
	for _, chunk := range chunks(ids, 5000) {
		in, args := s.int64List("c.id", chunk, 1)
		rs, err := s.pool().QueryContext(ctx, `SELECT c.id, c.source, c.tracking_id, c.report_type, c.category, c.channel,
			c.submitted_at, a.code, c.anonymous, c.confidential
			FROM complaints c JOIN agencies a ON a.id = c.agency_id WHERE `+in+` ORDER BY c.id`, args...)
		if err != nil {
			return nil, s.wrapRaw("clock inputs", err)
		}
		byID := make(map[int64]int, len(chunk))
		for rs.Next() {
			var ci ClockInput
			c := &ci.Complaint
			var rt string
			var sub scanTime
			if err := rs.Scan(&ci.ID, &c.Source, &c.TrackingID, &rt, &c.Category, &c.Channel, &sub, &c.AgencyCode, &c.Anonymous, &c.Confidential); err != nil {
				rs.Close()
				return nil, s.wrapRaw("clock inputs", err)
			}
			c.ReportType, c.SubmittedAt = domain.ReportType(rt), sub.t
			byID[ci.ID] = len(out)
			out = append(out, ci)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, s.wrapRaw("clock inputs", err)
		}
		in, args = s.int64List("e.complaint_id", chunk, 1)
		rs, err = s.pool().QueryContext(ctx, `SELECT e.complaint_id, e.event_key, e.kind, e.at, COALESCE(a.code, ''), COALESCE(t.code, '')
			FROM complaint_events e
			LEFT JOIN agencies a ON a.id = e.agency_id
			LEFT JOIN agencies t ON t.id = e.to_agency_id
			WHERE `+in, args...)
		if err != nil {
			return nil, s.wrapRaw("clock input events", err)
		}
		for rs.Next() {
			var cid int64
			var ev domain.Event
			var kind string
			var at scanTime
			if err := rs.Scan(&cid, &ev.EventID, &kind, &at, &ev.AgencyCode, &ev.ToAgencyCode); err != nil {
				rs.Close()
				return nil, s.wrapRaw("clock input events", err)
			}
			i, ok := byID[cid]
			if !ok {
				continue
			}
			ev.Source, ev.TrackingID, ev.Kind, ev.At = out[i].Complaint.Source, out[i].Complaint.TrackingID, domain.EventKind(kind), at.t
			out[i].Events = append(out[i].Events, ev)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, s.wrapRaw("clock input events", err)
		}
	}
	return out, nil
}

// ComplaintIDsAfter returns up to limit complaint ids greater than after, in
// order: the keyset pages of a full recompute. agencyPath, when set, keeps
// complaints assigned within that subtree or having an event by or to an
// agency in it.
func (s *Store) ComplaintIDsAfter(ctx context.Context, after int64, limit int, agencyPath string) ([]int64, error) {
	q := s.conn(ctx).Table("complaints AS c").Where("c.id > ?", after)
	if agencyPath != "" {
		lo, hi := subtreeBounds(agencyPath)
		q = q.Where(`c.agency_id IN (SELECT id FROM agencies WHERE path >= ? AND path < ?)
			OR c.id IN (SELECT e.complaint_id FROM complaint_events e JOIN agencies a ON a.id = e.agency_id OR a.id = e.to_agency_id
			            WHERE a.path >= ? AND a.path < ? AND e.complaint_id IS NOT NULL)`, lo, hi, lo, hi)
	}
	var ids []int64
	err := q.Order("c.id").Limit(limit).Pluck("c.id", &ids).Error
	return ids, wrap("complaint ids", err)
}

// ComplaintIDsWithOpenClocks returns up to limit complaint ids after the
// given one that have a running clock.
func (s *Store) ComplaintIDsWithOpenClocks(ctx context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&clockRow{}).Distinct("complaint_id").Where("stopped_at IS NULL AND complaint_id > ?", after).
		Order("complaint_id").Limit(limit).Pluck("complaint_id", &ids).Error
	return ids, wrap("complaints with open clocks", err)
}

// ClockAgency is what computing clocks needs of an agency.
type ClockAgency struct {
	ID             int64
	Code           string
	Kind           domain.AgencyKind
	Path           string
	GovernmentCode string
	TimeZone       string
}

// ClockAgencies lists every agency with its kind and zone (~20 000 rows at
// national scale; a recompute run loads them once).
func (s *Store) ClockAgencies(ctx context.Context) ([]ClockAgency, error) {
	var out []ClockAgency
	err := s.conn(ctx).Table("agencies").Select("id, code, kind, path, government_code, time_zone").Order("id").Scan(&out).Error
	return out, wrap("clock agencies", err)
}

// ComplaintIDsWithoutClocks returns up to limit complaint ids after the given
// one that have no stored clock at all (never computed, or failed).
func (s *Store) ComplaintIDsWithoutClocks(ctx context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Table("complaints AS c").
		Where("c.id > ? AND NOT EXISTS (SELECT 1 FROM complaint_clocks k WHERE k.complaint_id = c.id)", after).
		Order("c.id").Limit(limit).Pluck("c.id", &ids).Error
	return ids, wrap("complaints without clocks", err)
}
