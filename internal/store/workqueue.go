package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// The workspace SLA queue: running clocks of an agency subtree, read
// through the partial index on open clocks.

// QueueFilter selects running clocks. Path is the materialised path of the
// subtree root ("" for every agency); the other fields narrow it.
type QueueFilter struct {
	Path       string
	Category   string
	ReportType string
	Kind       string
	Limit      int
	Offset     int
}

// QueueItem is one running clock with what the queue shows of its
// complaint. It carries no reporter data.
type QueueItem struct {
	ComplaintID  int64
	Source       string
	TrackingID   string
	Title        string
	Category     string
	ReportType   domain.ReportType
	Confidential bool
	AgencyCode   string
	AgencyName   string
	TimeZone     string
	Kind         domain.ClockKind
	Cycle        int
	StartedAt    time.Time // in the agency's zone
	DueAt        time.Time // in the agency's zone
	LimitDays    int
	DaysUsed     int
	Verdict      domain.Verdict
	ComputedAt   time.Time
}

// QueueCounts summarises the running clocks a filter selects.
type QueueCounts struct {
	Open     int64
	Overdue  int64
	AtRisk   int64
	DueToday int64 // due in [dayStart, dayEnd) and not yet overdue
}

type sqlArgs struct {
	s    *Store
	args []any
}

func (a *sqlArgs) p(v any) string {
	a.args = append(a.args, v)
	return a.s.placeholder(len(a.args))
}

func (s *Store) queueWhere(f QueueFilter, a *sqlArgs) string {
	var w []string
	w = append(w, "k.stopped_at IS NULL")
	if f.Path != "" {
		lo, hi := subtreeBounds(f.Path)
		w = append(w, "a.path >= "+a.p(lo)+" AND a.path < "+a.p(hi))
	}
	if f.Category != "" {
		w = append(w, "c.category = "+a.p(f.Category))
	}
	if f.ReportType != "" {
		w = append(w, "c.report_type = "+a.p(f.ReportType))
	}
	if f.Kind != "" {
		w = append(w, "k.kind = "+a.p(f.Kind))
	}
	return " WHERE " + strings.Join(w, " AND ")
}

const queueFrom = ` FROM complaint_clocks k JOIN complaints c ON c.id = k.complaint_id JOIN agencies a ON a.id = k.agency_id`

// OpenClockQueue returns running clocks ordered by due date (then id).
func (s *Store) OpenClockQueue(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	a := &sqlArgs{s: s}
	q := `SELECT k.complaint_id, c.source, c.tracking_id, c.title, c.category, c.report_type, c.confidential, a.code, a.name,
	             a.time_zone, k.kind, k.cycle, k.started_at, k.due_at, k.limit_days, k.working_days_used, k.verdict, k.computed_at` +
		queueFrom + s.queueWhere(f, a) + ` ORDER BY k.due_at, k.id`
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit) + " OFFSET " + strconv.Itoa(max(f.Offset, 0))
	}
	rs, err := s.pool().QueryContext(ctx, q, a.args...)
	if err != nil {
		return nil, s.wrapRaw("clock queue", err)
	}
	defer rs.Close()
	var out []QueueItem
	for rs.Next() {
		var it QueueItem
		var rt, kind, verdict string
		var started, due, computed scanTime
		if err := rs.Scan(&it.ComplaintID, &it.Source, &it.TrackingID, &it.Title, &it.Category, &rt, &it.Confidential, &it.AgencyCode,
			&it.AgencyName, &it.TimeZone, &kind, &it.Cycle, &started, &due, &it.LimitDays, &it.DaysUsed, &verdict, &computed); err != nil {
			return nil, s.wrapRaw("clock queue", err)
		}
		loc := zone(it.TimeZone)
		it.ReportType, it.Kind, it.Verdict = domain.ReportType(rt), domain.ClockKind(kind), domain.Verdict(verdict)
		it.StartedAt, it.DueAt, it.ComputedAt = started.t.In(loc), due.t.In(loc), computed.t
		out = append(out, it)
	}
	return out, s.wrapRaw("clock queue", rs.Err())
}

// OpenClockCounts counts the running clocks a filter selects, by state.
func (s *Store) OpenClockCounts(ctx context.Context, f QueueFilter, dayStart, dayEnd time.Time) (QueueCounts, error) {
	a := &sqlArgs{s: s}
	sel := `SELECT COUNT(*),
	  COALESCE(SUM(CASE WHEN k.verdict = 'overdue' THEN 1 ELSE 0 END), 0),
	  COALESCE(SUM(CASE WHEN k.verdict = 'at_risk' THEN 1 ELSE 0 END), 0),
	  COALESCE(SUM(CASE WHEN k.verdict <> 'overdue' AND k.due_at >= ` + a.p(utcMicro(dayStart)) + ` AND k.due_at < ` + a.p(utcMicro(dayEnd)) + ` THEN 1 ELSE 0 END), 0)`
	var c QueueCounts
	err := s.pool().QueryRowContext(ctx, sel+queueFrom+s.queueWhere(f, a), a.args...).Scan(&c.Open, &c.Overdue, &c.AtRisk, &c.DueToday)
	return c, s.wrapRaw("clock queue counts", err)
}

// QueueUnit is an agency with running clocks, for the queue's unit filter.
type QueueUnit struct{ Code, Name string }

// QueueFacets lists the units and categories that have running clocks in a
// subtree, for the queue's filter choices.
func (s *Store) QueueFacets(ctx context.Context, path string) ([]QueueUnit, []string, error) {
	a := &sqlArgs{s: s}
	where := s.queueWhere(QueueFilter{Path: path}, a)
	rs, err := s.pool().QueryContext(ctx, `SELECT DISTINCT a.code, a.name`+queueFrom+where+` ORDER BY a.code`, a.args...)
	if err != nil {
		return nil, nil, s.wrapRaw("queue units", err)
	}
	var units []QueueUnit
	for rs.Next() {
		var u QueueUnit
		if err := rs.Scan(&u.Code, &u.Name); err != nil {
			rs.Close()
			return nil, nil, s.wrapRaw("queue units", err)
		}
		units = append(units, u)
	}
	rs.Close()
	rs, err = s.pool().QueryContext(ctx, `SELECT DISTINCT c.category`+queueFrom+where+` AND c.category <> '' ORDER BY c.category`, a.args...)
	if err != nil {
		return nil, nil, s.wrapRaw("queue categories", err)
	}
	defer rs.Close()
	var cats []string
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			return nil, nil, s.wrapRaw("queue categories", err)
		}
		cats = append(cats, c)
	}
	return units, cats, s.wrapRaw("queue categories", rs.Err())
}

// AgencyPath returns an agency's materialised path (its subtree key).
func (s *Store) AgencyPath(ctx context.Context, code string) (string, error) {
	row, err := s.agencyRowByCode(ctx, code)
	if err != nil {
		return "", err
	}
	return row.Path, nil
}
