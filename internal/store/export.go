package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Open-data exports and the Open311 read side. Every export walks its table
// in keyset pages (id > last id, ORDER BY id, LIMIT n): no page holds a
// connection between pages, no offset rescans, and memory stays flat at any
// size. Confidential complaints never leave these queries as rows; their
// reporters are never read.

// DefaultExportPage is the rows per keyset page of an export.
const DefaultExportPage = 1000

// ExportFilter selects the rows of an export.
type ExportFilter struct {
	// AgencyCode keeps rows of this agency and every unit beneath it (a
	// government's subtree); empty keeps all.
	AgencyCode string
	// From and To bound the dataset's time as [From, To); zero is open.
	From, To time.Time
}

// exportScope is an ExportFilter with the subtree resolved to path bounds.
type exportScope struct {
	lo, hi   string
	from, to time.Time
}

func (s *Store) exportScope(ctx context.Context, f ExportFilter) (exportScope, error) {
	sc := exportScope{from: f.From, to: f.To}
	if f.AgencyCode != "" {
		row, err := s.agencyRowByCode(ctx, f.AgencyCode)
		if err != nil {
			return sc, err
		}
		sc.lo, sc.hi = subtreeBounds(row.Path)
	}
	return sc, nil
}

// where appends the scope's conditions on an agency alias and a time column.
func (sc exportScope) where(s *Store, conds []string, args []any, agencyAlias, timeCol string) ([]string, []any) {
	if sc.lo != "" {
		conds = append(conds, agencyAlias+".path >= "+s.placeholder(len(args)+1)+" AND "+agencyAlias+".path < "+s.placeholder(len(args)+2))
		args = append(args, sc.lo, sc.hi)
	}
	if !sc.from.IsZero() {
		conds = append(conds, timeCol+" >= "+s.placeholder(len(args)+1))
		args = append(args, utcMicro(sc.from))
	}
	if !sc.to.IsZero() {
		conds = append(conds, timeCol+" < "+s.placeholder(len(args)+1))
		args = append(args, utcMicro(sc.to))
	}
	return conds, args
}

// ExportComplaint is a complaint's public fields and milestones as the
// open-data export publishes them. It has no reporter fields by design.
type ExportComplaint struct {
	ID             int64
	Source         string
	TrackingID     string
	ReportType     domain.ReportType
	Category       string
	Channel        string
	SubmittedAt    time.Time
	AgencyCode     string
	AgencyName     string
	GovernmentCode string
	RegionCode     string
	TimeZone       string
	Anonymous      bool
	Title          string
	Summary        string
	UpdatedAt      time.Time
	// First time each milestone event happened (nil: not yet).
	VerifiedAt, FirstResponseAt, CompletedAt, RejectedAt, ClosedAt *time.Time
	// Clocks in cycle, then start order.
	Clocks []ExportClock
}

// ExportClock is one stored clock as the exports publish it.
type ExportClock struct {
	ID                int64
	ComplaintID       int64
	Source            string
	TrackingID        string
	Kind              domain.ClockKind
	AgencyCode        string
	Cycle             int
	StartedAt         time.Time
	DueAt             time.Time
	StoppedAt         *time.Time
	LimitDays         int
	WorkingDaysUsed   int
	PausedWorkingDays int
	Verdict           domain.Verdict
	PolicyVersion     string
	CalendarVersion   string
	TimeZone          string
}

// EachExportComplaint calls fn with every non-confidential complaint the
// filter selects (on submitted_at), in id order, page by page. fn must not
// keep the pointer.
func (s *Store) EachExportComplaint(ctx context.Context, f ExportFilter, pageSize int, fn func(*ExportComplaint) error) error {
	sc, err := s.exportScope(ctx, f)
	if err != nil {
		return err
	}
	if pageSize <= 0 {
		pageSize = DefaultExportPage
	}
	page := make([]ExportComplaint, 0, pageSize)
	var after int64
	for {
		page, err = s.exportComplaintPage(ctx, sc, after, pageSize, page[:0])
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func (s *Store) exportComplaintPage(ctx context.Context, sc exportScope, after int64, limit int, out []ExportComplaint) ([]ExportComplaint, error) {
	conds := []string{"c.id > " + s.placeholder(1), "NOT c.confidential"}
	args := []any{after}
	conds, args = sc.where(s, conds, args, "a", "c.submitted_at")
	q := `SELECT c.id, c.source, c.tracking_id, c.report_type, c.category, c.channel, c.submitted_at, a.code, a.name,
	             c.government_code, c.region_code, a.time_zone, c.anonymous, c.title, c.summary, c.updated_at
	      FROM complaints c JOIN agencies a ON a.id = c.agency_id
	      WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY c.id LIMIT ` + s.placeholder(len(args)+1)
	rs, err := s.pool().QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return out, s.wrapRaw("export complaints", err)
	}
	for rs.Next() {
		var c ExportComplaint
		var rt string
		var sub, upd scanTime
		if err := rs.Scan(&c.ID, &c.Source, &c.TrackingID, &rt, &c.Category, &c.Channel, &sub, &c.AgencyCode, &c.AgencyName,
			&c.GovernmentCode, &c.RegionCode, &c.TimeZone, &c.Anonymous, &c.Title, &c.Summary, &upd); err != nil {
			rs.Close()
			return out, s.wrapRaw("export complaints", err)
		}
		c.ReportType, c.SubmittedAt, c.UpdatedAt = domain.ReportType(rt), sub.t, upd.t
		out = append(out, c)
	}
	err = rs.Err()
	rs.Close()
	if err != nil || len(out) == 0 {
		return out, s.wrapRaw("export complaints", err)
	}
	ids := make([]int64, len(out))
	byID := make(map[int64]int, len(out))
	for i, c := range out {
		ids[i], byID[c.ID] = c.ID, i
	}
	if err := s.exportMilestones(ctx, ids, byID, out); err != nil {
		return out, err
	}
	err = s.eachClockOf(ctx, ids, func(k ExportClock) {
		c := &out[byID[k.ComplaintID]]
		k.Source, k.TrackingID = c.Source, c.TrackingID
		c.Clocks = append(c.Clocks, k)
	})
	return out, err
}

// exportMilestones sets the first time of each milestone event.
func (s *Store) exportMilestones(ctx context.Context, ids []int64, byID map[int64]int, out []ExportComplaint) error {
	in, args := s.int64List("e.complaint_id", ids, 1)
	q := `SELECT e.complaint_id, e.kind, MIN(e.at) FROM complaint_events e
	      WHERE ` + in + ` AND e.kind IN ('verified', 'responded', 'completed', 'rejected', 'closed')
	      GROUP BY e.complaint_id, e.kind`
	rs, err := s.pool().QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrapRaw("export milestones", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var kind string
		var at scanTime
		if err := rs.Scan(&id, &kind, &at); err != nil {
			return s.wrapRaw("export milestones", err)
		}
		c := &out[byID[id]]
		switch domain.EventKind(kind) {
		case domain.EventVerified:
			c.VerifiedAt = at.ptr()
		case domain.EventResponded:
			c.FirstResponseAt = at.ptr()
		case domain.EventCompleted:
			c.CompletedAt = at.ptr()
		case domain.EventRejected:
			c.RejectedAt = at.ptr()
		case domain.EventClosed:
			c.ClosedAt = at.ptr()
		}
	}
	return s.wrapRaw("export milestones", rs.Err())
}

const exportClockCols = `k.id, k.complaint_id, k.kind, a.code, k.cycle, k.started_at, k.due_at, k.stopped_at, k.limit_days,
	k.working_days_used, k.paused_working_days, k.verdict, k.policy_version, k.calendar_version, a.time_zone`

func scanExportClock(rs *sql.Rows, extra ...any) (ExportClock, error) {
	var k ExportClock
	var kind, verdict string
	var st, due, stop scanTime
	dest := append([]any{&k.ID, &k.ComplaintID, &kind, &k.AgencyCode, &k.Cycle, &st, &due, &stop, &k.LimitDays,
		&k.WorkingDaysUsed, &k.PausedWorkingDays, &verdict, &k.PolicyVersion, &k.CalendarVersion, &k.TimeZone}, extra...)
	if err := rs.Scan(dest...); err != nil {
		return k, err
	}
	k.Kind, k.Verdict, k.StartedAt, k.DueAt, k.StoppedAt = domain.ClockKind(kind), domain.Verdict(verdict), st.t, due.t, stop.ptr()
	return k, nil
}

// eachClockOf calls fn with the clocks of the complaints, per complaint in
// cycle, then start order.
func (s *Store) eachClockOf(ctx context.Context, ids []int64, fn func(ExportClock)) error {
	in, args := s.int64List("k.complaint_id", ids, 1)
	rs, err := s.pool().QueryContext(ctx, `SELECT `+exportClockCols+`
		FROM complaint_clocks k JOIN agencies a ON a.id = k.agency_id
		WHERE `+in+` ORDER BY k.complaint_id, k.cycle, k.started_at, k.id`, args...)
	if err != nil {
		return s.wrapRaw("export clocks", err)
	}
	defer rs.Close()
	for rs.Next() {
		k, err := scanExportClock(rs)
		if err != nil {
			return s.wrapRaw("export clocks", err)
		}
		fn(k)
	}
	return s.wrapRaw("export clocks", rs.Err())
}

// EachExportClock calls fn with every clock of a non-confidential complaint
// whose clock agency lies in the filter's subtree and whose complaint was
// submitted in its period, in clock id order, page by page.
func (s *Store) EachExportClock(ctx context.Context, f ExportFilter, pageSize int, fn func(*ExportClock) error) error {
	sc, err := s.exportScope(ctx, f)
	if err != nil {
		return err
	}
	if pageSize <= 0 {
		pageSize = DefaultExportPage
	}
	page := make([]ExportClock, 0, pageSize)
	var after int64
	for {
		page = page[:0]
		conds := []string{"k.id > " + s.placeholder(1), "NOT c.confidential"}
		args := []any{after}
		conds, args = sc.where(s, conds, args, "a", "c.submitted_at")
		rs, err := s.pool().QueryContext(ctx, `SELECT `+exportClockCols+`, c.source, c.tracking_id
			FROM complaint_clocks k JOIN complaints c ON c.id = k.complaint_id JOIN agencies a ON a.id = k.agency_id
			WHERE `+strings.Join(conds, " AND ")+` ORDER BY k.id LIMIT `+s.placeholder(len(args)+1), append(args, pageSize)...)
		if err != nil {
			return s.wrapRaw("export clocks", err)
		}
		for rs.Next() {
			var src, tid string
			k, err := scanExportClock(rs, &src, &tid)
			if err != nil {
				rs.Close()
				return s.wrapRaw("export clocks", err)
			}
			k.Source, k.TrackingID = src, tid
			page = append(page, k)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return s.wrapRaw("export clocks", err)
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// ComplaintCount is how many complaints an agency received in one local
// month with one report type, confidential ones included and counted apart.
type ComplaintCount struct {
	AgencyCode     string
	AgencyName     string
	GovernmentCode string
	Month          string // YYYY-MM in the agency's zone
	ReportType     domain.ReportType
	Received       int64
	Confidential   int64
}

// monthExpr is the local month (YYYY-MM) of c.submitted_at in a.time_zone.
// SQLite has no zone database; Indonesia's three zones have fixed offsets
// (no daylight saving), so the offset is spelled out.
func (s *Store) monthExpr() string {
	if s.dialect == Postgres {
		return `to_char(c.submitted_at AT TIME ZONE a.time_zone, 'YYYY-MM')`
	}
	return `strftime('%Y-%m', c.submitted_at, CASE a.time_zone WHEN 'Asia/Makassar' THEN '+8 hours'
		WHEN 'Asia/Jayapura' THEN '+9 hours' ELSE '+7 hours' END)`
}

// exportAgencyChunk is how many agencies one counting query covers.
const exportAgencyChunk = 200

// EachComplaintCount calls fn with complaint counts per agency, local month
// and report type for the agencies in the filter's subtree and complaints
// submitted in its period, in tree order. Confidential complaints are
// counted (and counted apart): the counts are all that is published of them.
func (s *Store) EachComplaintCount(ctx context.Context, f ExportFilter, fn func(ComplaintCount) error) error {
	sc, err := s.exportScope(ctx, f)
	if err != nil {
		return err
	}
	after := ""
	for {
		conds := []string{"a.path > " + s.placeholder(1)}
		args := []any{after}
		if sc.lo != "" {
			conds = append(conds, "a.path >= "+s.placeholder(2)+" AND a.path < "+s.placeholder(3))
			args = append(args, sc.lo, sc.hi)
		}
		var ids []int64
		var last string
		rs, err := s.pool().QueryContext(ctx, `SELECT a.id, a.path FROM agencies a WHERE `+strings.Join(conds, " AND ")+
			` ORDER BY a.path LIMIT `+s.placeholder(len(args)+1), append(args, exportAgencyChunk)...)
		if err != nil {
			return s.wrapRaw("export counts", err)
		}
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id, &last); err != nil {
				rs.Close()
				return s.wrapRaw("export counts", err)
			}
			ids = append(ids, id)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return s.wrapRaw("export counts", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := s.countsOf(ctx, sc, ids, fn); err != nil {
			return err
		}
		if len(ids) < exportAgencyChunk {
			return nil
		}
		after = last
	}
}

func (s *Store) countsOf(ctx context.Context, sc exportScope, ids []int64, fn func(ComplaintCount) error) error {
	in, args := s.int64List("c.agency_id", ids, 1)
	conds := []string{in}
	sc.lo = "" // the agencies are already chosen
	conds, args = sc.where(s, conds, args, "a", "c.submitted_at")
	month := s.monthExpr()
	q := `SELECT a.code, a.name, a.government_code, ` + month + ` AS m, c.report_type, COUNT(*),
	             SUM(CASE WHEN c.confidential THEN 1 ELSE 0 END)
	      FROM complaints c JOIN agencies a ON a.id = c.agency_id
	      WHERE ` + strings.Join(conds, " AND ") + `
	      GROUP BY a.path, a.code, a.name, a.government_code, m, c.report_type
	      ORDER BY a.path, m, c.report_type`
	rs, err := s.pool().QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrapRaw("export counts", err)
	}
	// The groups of one chunk are few (agencies × months × types); read
	// them all before calling fn so no connection waits on the client.
	var out []ComplaintCount
	for rs.Next() {
		var n ComplaintCount
		var rt string
		if err := rs.Scan(&n.AgencyCode, &n.AgencyName, &n.GovernmentCode, &n.Month, &rt, &n.Received, &n.Confidential); err != nil {
			rs.Close()
			return s.wrapRaw("export counts", err)
		}
		n.ReportType = domain.ReportType(rt)
		out = append(out, n)
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return s.wrapRaw("export counts", err)
	}
	for _, n := range out {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

// EachExportIndexResult calls fn with the latest stored SPBE index result
// per government, framework, year, stage and source (published, computed
// and projected) for governments in the filter's subtree and years
// [fromYear, toYear] (0: open), in result id order.
func (s *Store) EachExportIndexResult(ctx context.Context, f ExportFilter, fromYear, toYear int, fn func(domain.SPBEIndexResult) error) error {
	sc, err := s.exportScope(ctx, ExportFilter{AgencyCode: f.AgencyCode})
	if err != nil {
		return err
	}
	var after int64
	for {
		conds := []string{"r.id > " + s.placeholder(1),
			"r.id IN (SELECT MAX(id) FROM spbe_index_results GROUP BY agency_id, framework_id, year, stage, source)"}
		args := []any{after}
		conds, args = sc.where(s, conds, args, "a", "")
		if fromYear > 0 {
			conds = append(conds, "r.year >= "+s.placeholder(len(args)+1))
			args = append(args, fromYear)
		}
		if toYear > 0 {
			conds = append(conds, "r.year <= "+s.placeholder(len(args)+1))
			args = append(args, toYear)
		}
		rs, err := s.pool().QueryContext(ctx, `SELECT r.id, r.agency_id, r.framework_id, r.framework_version, r.year, r.stage,
			r.source, r.index_published, r.index_exact, r.predicate, r.banding, r.domains_json, r.detail_json, r.computed_at,
			a.code, a.name, a.kind, COALESCE(p.code, '')
			FROM spbe_index_results r JOIN agencies a ON a.id = r.agency_id LEFT JOIN agencies p ON p.id = a.parent_id
			WHERE `+strings.Join(conds, " AND ")+` ORDER BY r.id LIMIT `+s.placeholder(len(args)+1), append(args, DefaultExportPage)...)
		if err != nil {
			return s.wrapRaw("export index results", err)
		}
		var rows []spbeResultRow
		for rs.Next() {
			var r spbeResultRow
			var at scanTime
			if err := rs.Scan(&r.ID, &r.AgencyID, &r.FrameworkID, &r.FrameworkVersion, &r.Year, &r.Stage, &r.Source,
				&r.IndexPublished, &r.IndexExact, &r.Predicate, &r.Banding, &r.DomainsJSON, &r.DetailJSON, &at,
				&r.Code, &r.Name, &r.Kind, &r.ParentCode); err != nil {
				rs.Close()
				return s.wrapRaw("export index results", err)
			}
			r.ComputedAt = at.t
			rows = append(rows, r)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return s.wrapRaw("export index results", err)
		}
		for _, r := range rows {
			d, err := r.toDomain()
			if err != nil {
				return err
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(rows) < DefaultExportPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// ServiceRequestFilter selects complaints as Open311 service requests.
type ServiceRequestFilter struct {
	// TrackingIDs, when set, selects these requests and nothing else
	// narrows them (GeoReport v2: service_request_id overrides the rest).
	TrackingIDs []string
	Categories  []string // any of these categories; empty: all
	From, To    time.Time
	Status      string // "open", "closed" or "" for both
	Limit       int
}

// ServiceRequest is a complaint as the Open311 read side shows it. It has
// no reporter fields; a confidential complaint's text is left empty here.
type ServiceRequest struct {
	ID           int64
	Source       string
	TrackingID   string
	Category     string
	ReportType   domain.ReportType
	Confidential bool
	Title        string
	Summary      string
	SubmittedAt  time.Time
	UpdatedAt    time.Time // the newest event, else the row's update
	AgencyCode   string
	AgencyName   string
	TimeZone     string
	Open         bool
	// StatusNote is the newest public follow-up text (empty when confidential).
	StatusNote string
	// Due is the running clock the request waits on: its completion clock
	// when running, else the running clock due first (nil when none runs).
	Due *ExportClock
	// DueAgencyName names the agency of Due.
	DueAgencyName string
}

// openCond is "the complaint is open": a clock runs, or it never reached a
// terminal event (completed, closed, rejected).
const openCond = `(EXISTS (SELECT 1 FROM complaint_clocks k WHERE k.complaint_id = c.id AND k.stopped_at IS NULL)
	OR NOT EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind IN ('completed', 'closed', 'rejected')))`

// ServiceRequests returns complaints as service requests, newest first.
func (s *Store) ServiceRequests(ctx context.Context, f ServiceRequestFilter) ([]ServiceRequest, error) {
	var conds []string
	var args []any
	if len(f.TrackingIDs) > 0 {
		in, a := s.inList("c.tracking_id", f.TrackingIDs, 1)
		conds, args = append(conds, in), a
	} else {
		if len(f.Categories) > 0 {
			in, a := s.inList("c.category", f.Categories, len(args)+1)
			conds, args = append(conds, in), append(args, a...)
		}
		conds, args = exportScope{from: f.From, to: f.To}.where(s, conds, args, "a", "c.submitted_at")
		switch f.Status {
		case "open":
			conds = append(conds, openCond)
		case "closed":
			conds = append(conds, "NOT "+openCond)
		}
	}
	if len(conds) == 0 {
		conds = append(conds, "1 = 1")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultExportPage
	}
	q := `SELECT c.id, c.source, c.tracking_id, c.category, c.report_type, c.confidential, c.title, c.summary, c.submitted_at,
	             c.updated_at, a.code, a.name, a.time_zone, CASE WHEN ` + openCond + ` THEN 1 ELSE 0 END,
	             (SELECT MAX(e.at) FROM complaint_events e WHERE e.complaint_id = c.id)
	      FROM complaints c JOIN agencies a ON a.id = c.agency_id
	      WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY c.submitted_at DESC, c.id DESC LIMIT ` + s.placeholder(len(args)+1)
	rs, err := s.pool().QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, s.wrapRaw("service requests", err)
	}
	var out []ServiceRequest
	for rs.Next() {
		var r ServiceRequest
		var rt string
		var open int
		var sub, upd, last scanTime
		if err := rs.Scan(&r.ID, &r.Source, &r.TrackingID, &r.Category, &rt, &r.Confidential, &r.Title, &r.Summary, &sub,
			&upd, &r.AgencyCode, &r.AgencyName, &r.TimeZone, &open, &last); err != nil {
			rs.Close()
			return nil, s.wrapRaw("service requests", err)
		}
		r.ReportType, r.SubmittedAt, r.UpdatedAt, r.Open = domain.ReportType(rt), sub.t, upd.t, open == 1
		if last.valid {
			r.UpdatedAt = last.t
		}
		if r.Confidential {
			r.Title, r.Summary = "", ""
		}
		out = append(out, r)
	}
	err = rs.Err()
	rs.Close()
	if err != nil || len(out) == 0 {
		return out, s.wrapRaw("service requests", err)
	}
	return out, s.serviceRequestDetails(ctx, out)
}

// serviceRequestDetails fills the running clock and the newest public note.
func (s *Store) serviceRequestDetails(ctx context.Context, out []ServiceRequest) error {
	ids := make([]int64, len(out))
	byID := make(map[int64]int, len(out))
	for i, r := range out {
		ids[i], byID[r.ID] = r.ID, i
	}
	in, args := s.int64List("k.complaint_id", ids, 1)
	rs, err := s.pool().QueryContext(ctx, `SELECT `+exportClockCols+`, a.name
		FROM complaint_clocks k JOIN agencies a ON a.id = k.agency_id
		WHERE `+in+` AND k.stopped_at IS NULL ORDER BY k.complaint_id, k.due_at, k.id`, args...)
	if err != nil {
		return s.wrapRaw("service request clocks", err)
	}
	for rs.Next() {
		var name string
		k, err := scanExportClock(rs, &name)
		if err != nil {
			rs.Close()
			return s.wrapRaw("service request clocks", err)
		}
		r := &out[byID[k.ComplaintID]]
		// the first running clock (earliest due) unless a completion clock runs
		if r.Due == nil || (k.Kind == domain.ClockCompletion && r.Due.Kind != domain.ClockCompletion) {
			k.Source, k.TrackingID = r.Source, r.TrackingID
			r.Due, r.DueAgencyName = &k, name
		}
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return s.wrapRaw("service request clocks", err)
	}
	in, args = s.int64List("e.complaint_id", ids, 1)
	rs, err = s.pool().QueryContext(ctx, `SELECT e.complaint_id, e.public_text FROM complaint_events e
		WHERE `+in+` AND e.public_text <> '' ORDER BY e.complaint_id, e.at, e.id`, args...)
	if err != nil {
		return s.wrapRaw("service request notes", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var text string
		if err := rs.Scan(&id, &text); err != nil {
			return s.wrapRaw("service request notes", err)
		}
		if r := &out[byID[id]]; !r.Confidential {
			r.StatusNote = text // ordered by time: the last one wins
		}
	}
	return s.wrapRaw("service request notes", rs.Err())
}

// ComplaintCategories lists the distinct non-empty complaint categories.
// It scans the complaints: callers cache it.
func (s *Store) ComplaintCategories(ctx context.Context) ([]string, error) {
	var out []string
	err := s.conn(ctx).Table("complaints").Distinct("category").Where("category <> ''").Order("category").Pluck("category", &out).Error
	return out, wrap("complaint categories", err)
}
