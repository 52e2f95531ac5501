package metrics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// AgencyRef names an agency in a metrics answer.
type AgencyRef struct {
	Code      string            `json:"code"`
	Name      string            `json:"name"`
	ShortName string            `json:"short_name,omitempty"`
	Kind      domain.AgencyKind `json:"kind"`
}

// Within is the share answered within N working days (from the histograms).
type Within struct {
	Days          int        `json:"days"`
	FirstResponse stats.Rate `json:"first_response"`
	Completion    stats.Rate `json:"completion"`
}

// Figures are one agency's (or subtree's) metrics for one period, in the
// JSON shape of design §5 plus the counts behind each rate.
type Figures struct {
	Agency              AgencyRef         `json:"agency"`
	Period              stats.Period      `json:"period"`
	Subtree             bool              `json:"subtree"`
	Received            int64             `json:"received"`
	ForwardedOut        int64             `json:"forwarded_out"`
	Rejected            int64             `json:"rejected"`
	Assigned            int64             `json:"assigned"`
	Responded           int64             `json:"responded"`
	Completed           int64             `json:"completed"`
	ResponseRate        stats.Rate        `json:"response_rate"`
	CompletionRate      stats.Rate        `json:"completion_rate"`
	FirstResponseOnTime stats.Rate        `json:"first_response_on_time"`
	CompletionOnTime    stats.Rate        `json:"completion_on_time"`
	FirstResponseDays   stats.DaysSummary `json:"first_response_days"`
	CompletionDays      stats.DaysSummary `json:"completion_days"`
	// Pending clocks fall due in the period but have not yet (outside n).
	FirstResponsePending int64   `json:"first_response_pending"`
	CompletionPending    int64   `json:"completion_pending"`
	Within               *Within `json:"within,omitempty"`
	Open                 int64   `json:"open"`
	Overdue              int64   `json:"overdue"`
	AtRisk               int64   `json:"at_risk"`
	MinN                 int     `json:"min_n"`
	// UpdatedAt is when the row was last refreshed (null: no data).
	UpdatedAt *time.Time `json:"updated_at"`
}

// figures builds the published figures from a stored row (nil: no data).
func (s *Service) figures(a store.RollupAgency, p stats.Period, subtree bool, r *store.Rollup, cur *store.RollupCurrent, within int) Figures {
	var row store.Rollup
	if r != nil {
		row = *r
	}
	c := row.Counts
	f := Figures{
		Agency: AgencyRef{Code: a.Code, Name: a.Name, ShortName: a.ShortName, Kind: a.Kind}, Period: p, Subtree: subtree,
		Received: c.Received, ForwardedOut: c.ForwardedOut, Rejected: c.Rejected, Assigned: c.Assigned,
		Responded: c.Responded, Completed: c.Completed,
		ResponseRate:         stats.NewRate(int(c.Responded), int(c.Assigned), s.minN),
		CompletionRate:       stats.NewRate(int(c.Completed), int(c.Assigned), s.minN),
		FirstResponseOnTime:  stats.NewRate(int(c.FROnTime), int(c.FRDue), s.minN),
		CompletionOnTime:     stats.NewRate(int(c.CPOnTime), int(c.CPDue), s.minN),
		FirstResponseDays:    row.FirstResponseDays.Summary(s.minN),
		CompletionDays:       row.CompletionDays.Summary(s.minN),
		FirstResponsePending: c.FRPending, CompletionPending: c.CPPending,
		MinN: s.minN,
	}
	if r != nil {
		t := r.UpdatedAt
		f.UpdatedAt = &t
		if r.PeriodKey == RollingKey && r.PeriodStart != "" {
			if st, err := time.Parse(time.DateOnly, r.PeriodStart); err == nil {
				f.Period.Start = st
			}
			if en, err := time.Parse(time.DateOnly, r.PeriodEnd); err == nil {
				f.Period.End = en
			}
		}
	}
	if within >= 0 {
		f.Within = &Within{Days: within, FirstResponse: row.FirstResponseDays.ShareWithin(within, s.minN),
			Completion: row.CompletionDays.ShareWithin(within, s.minN)}
	}
	if cur != nil {
		f.Open, f.Overdue, f.AtRisk = cur.Open, cur.Overdue, cur.AtRisk
	}
	return f
}

func scopeOf(subtree bool) string {
	if subtree {
		return store.RollupSubtree
	}
	return store.RollupOwn
}

// parsePeriod reads a period key against today's national date.
func (s *Service) parsePeriod(period string) (stats.Period, error) {
	if period == "" {
		period = RollingKey
	}
	return stats.ParsePeriod(period, s.today())
}

func (s *Service) agency(ctx context.Context, code string) (store.RollupAgency, error) {
	list, err := s.store.RollupAgencyByCodes(ctx, []string{code})
	if err != nil {
		return store.RollupAgency{}, err
	}
	if len(list) == 0 {
		return store.RollupAgency{}, fmt.Errorf("agency %s: %w", code, domain.ErrNotFound)
	}
	return list[0], nil
}

// AgencyMetrics returns an agency's figures for a period (a key accepted by
// stats.ParsePeriod; empty means rolling90), of its subtree or its own
// complaints. within < 0 leaves the within-N shares out.
func (s *Service) AgencyMetrics(ctx context.Context, code, period string, subtree bool, within int) (Figures, error) {
	p, err := s.parsePeriod(period)
	if err != nil {
		return Figures{}, err
	}
	if within > stats.MaxHistogramDays {
		return Figures{}, domain.Invalidf("within", "must be between 0 and %d working days", stats.MaxHistogramDays)
	}
	a, err := s.agency(ctx, code)
	if err != nil {
		return Figures{}, err
	}
	scope := scopeOf(subtree)
	rows, err := s.store.Rollups(ctx, store.RollupFilter{Scope: scope, AgencyIDs: []int64{a.ID}, Keys: []string{p.Key}})
	if err != nil {
		return Figures{}, err
	}
	cur, err := s.store.RollupCurrents(ctx, scope, []int64{a.ID}, nil)
	if err != nil {
		return Figures{}, err
	}
	var r *store.Rollup
	if len(rows) > 0 {
		r = &rows[0]
	}
	var c *store.RollupCurrent
	if len(cur) > 0 {
		c = &cur[0]
	}
	return s.figures(a, p, subtree, r, c, within), nil
}

// Sort keys of the leaderboard.
var sortKeys = []string{"code", "name", "received", "response_rate", "first_response_on_time", "completion_on_time",
	"median_first_response_days", "overdue"}

// SortKeys lists the accepted leaderboard sort keys.
func SortKeys() []string { return slices.Clone(sortKeys) }

// BoardQuery selects a leaderboard.
type BoardQuery struct {
	Parent string // the agency whose children are ranked (empty: the roots)
	Period string
	Sort   string // one of SortKeys; default response_rate
	Desc   bool
	Limit  int
	Offset int
}

// Board is a page of a leaderboard.
type Board struct {
	Parent  *AgencyRef   `json:"parent,omitempty"`
	Period  stats.Period `json:"period"`
	Sort    string       `json:"sort"`
	Order   string       `json:"order"`
	Total   int          `json:"total"`
	Entries []Figures    `json:"entries"`
}

// Leaderboard ranks every child of the parent (governments under a province,
// units under a government) by a headline metric over its subtree. Entries
// whose figure is unknown (insufficient data) sort last in either order;
// ties fall back to the code.
func (s *Service) Leaderboard(ctx context.Context, q BoardQuery) (Board, error) {
	p, err := s.parsePeriod(q.Period)
	if err != nil {
		return Board{}, err
	}
	if q.Sort == "" {
		q.Sort = "response_rate"
	}
	if !slices.Contains(sortKeys, q.Sort) {
		return Board{}, domain.Invalidf("sort", "unknown sort %q; valid: %s", q.Sort, strings.Join(sortKeys, ", "))
	}
	b := Board{Period: p, Sort: q.Sort, Order: "asc"}
	if q.Desc {
		b.Order = "desc"
	}
	var children []store.RollupAgency
	if q.Parent != "" {
		pa, err := s.agency(ctx, q.Parent)
		if err != nil {
			return Board{}, err
		}
		b.Parent = &AgencyRef{Code: pa.Code, Name: pa.Name, ShortName: pa.ShortName, Kind: pa.Kind}
		children, err = s.store.RollupAgencyChildren(ctx, pa.ID)
		if err != nil {
			return Board{}, err
		}
	} else {
		children, err = s.store.RollupAgencyChildren(ctx, 0)
		if err != nil {
			return Board{}, err
		}
	}
	ids := make([]int64, len(children))
	for i, c := range children {
		ids[i] = c.ID
	}
	var rows []store.Rollup
	var curs []store.RollupCurrent
	if len(ids) > 0 {
		if rows, err = s.store.Rollups(ctx, store.RollupFilter{Scope: store.RollupSubtree, AgencyIDs: ids, Keys: []string{p.Key}}); err != nil {
			return Board{}, err
		}
		if curs, err = s.store.RollupCurrents(ctx, store.RollupSubtree, ids, nil); err != nil {
			return Board{}, err
		}
	}
	byID := map[int64]*store.Rollup{}
	for i := range rows {
		byID[rows[i].AgencyID] = &rows[i]
	}
	curByID := map[int64]*store.RollupCurrent{}
	for i := range curs {
		curByID[curs[i].AgencyID] = &curs[i]
	}
	all := make([]Figures, len(children))
	for i, c := range children {
		all[i] = s.figures(c, p, true, byID[c.ID], curByID[c.ID], -1)
	}
	sortFigures(all, q.Sort, q.Desc)
	b.Total = len(all)
	lo := min(max(q.Offset, 0), len(all))
	hi := len(all)
	if q.Limit > 0 {
		hi = min(lo+q.Limit, len(all))
	}
	b.Entries = all[lo:hi]
	return b, nil
}

// sortValue is the figure an entry is ranked by; false when unknown.
func sortValue(f Figures, key string) (float64, bool) {
	rate := func(r stats.Rate) (float64, bool) {
		if r.Value == nil {
			return 0, false
		}
		return *r.Value, true
	}
	switch key {
	case "received":
		return float64(f.Received), true
	case "overdue":
		return float64(f.Overdue), true
	case "response_rate":
		return rate(f.ResponseRate)
	case "first_response_on_time":
		return rate(f.FirstResponseOnTime)
	case "completion_on_time":
		return rate(f.CompletionOnTime)
	case "median_first_response_days":
		if f.FirstResponseDays.Median == nil {
			return 0, false
		}
		return *f.FirstResponseDays.Median, true
	}
	return 0, false
}

func sortFigures(fs []Figures, key string, desc bool) {
	slices.SortStableFunc(fs, func(a, b Figures) int {
		var c int
		switch key {
		case "code":
			c = strings.Compare(a.Agency.Code, b.Agency.Code)
		case "name":
			c = strings.Compare(strings.ToLower(a.Agency.Name), strings.ToLower(b.Agency.Name))
		default:
			va, oka := sortValue(a, key)
			vb, okb := sortValue(b, key)
			switch {
			case oka != okb: // unknown last, whatever the order
				if oka {
					return -1
				}
				return 1
			case oka:
				c = cmp.Compare(va, vb)
			}
		}
		if desc {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.Agency.Code, b.Agency.Code))
	})
}

// TrendPoint is one month of a trend.
type TrendPoint struct {
	Period string     `json:"period"`
	Rate   stats.Rate `json:"rate"`
}

// Trend metrics.
var trendMetrics = []string{"response_rate", "completion_rate", "first_response_on_time", "completion_on_time"}

// Trend returns a rate per month for the last months (ending with the
// current national month), oldest first.
func (s *Service) Trend(ctx context.Context, code, metric string, months int, subtree bool) ([]TrendPoint, error) {
	if metric == "" {
		metric = "first_response_on_time"
	}
	if !slices.Contains(trendMetrics, metric) {
		return nil, domain.Invalidf("metric", "unknown metric %q; valid: %s", metric, strings.Join(trendMetrics, ", "))
	}
	if months <= 0 || months > 120 {
		return nil, domain.Invalid("months", "must be between 1 and 120")
	}
	a, err := s.agency(ctx, code)
	if err != nil {
		return nil, err
	}
	today := s.today()
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(months - 1), 0)
	keys := make([]string, months)
	for i := range keys {
		keys[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	rows, err := s.store.Rollups(ctx, store.RollupFilter{Scope: scopeOf(subtree), AgencyIDs: []int64{a.ID}, Keys: keys})
	if err != nil {
		return nil, err
	}
	byKey := map[string]*store.Rollup{}
	for i := range rows {
		byKey[rows[i].PeriodKey] = &rows[i]
	}
	out := make([]TrendPoint, len(keys))
	for i, k := range keys {
		p, _ := periodOfKey(k)
		f := s.figures(a, p, subtree, byKey[k], nil, -1)
		var r stats.Rate
		switch metric {
		case "response_rate":
			r = f.ResponseRate
		case "completion_rate":
			r = f.CompletionRate
		case "first_response_on_time":
			r = f.FirstResponseOnTime
		case "completion_on_time":
			r = f.CompletionOnTime
		}
		out[i] = TrendPoint{Period: k, Rate: r}
	}
	return out, nil
}

// OverdueLine is one public line of an overdue or at-risk list.
type OverdueLine struct {
	Source      string            `json:"source"`
	TrackingID  string            `json:"tracking_id"`
	Category    string            `json:"category,omitempty"`
	ReportType  domain.ReportType `json:"report_type"`
	Title       string            `json:"title,omitempty"` // never for a confidential complaint
	AgencyCode  string            `json:"agency_code"`
	Clock       domain.ClockKind  `json:"clock"`
	DueAt       time.Time         `json:"due_at"`
	DaysOverdue int               `json:"days_overdue"` // calendar days past the due day (0 when at risk)
}

// Overdue pages through the complaints with a running clock of the verdict
// (overdue or at_risk) in the agency's subtree (or its own), most overdue
// first. Only public fields are read.
func (s *Service) Overdue(ctx context.Context, code string, verdict domain.Verdict, subtree bool, limit, offset int) ([]OverdueLine, int64, error) {
	if verdict != domain.VerdictOverdue && verdict != domain.VerdictAtRisk {
		return nil, 0, domain.Invalid("verdict", "overdue or at_risk")
	}
	a, err := s.agency(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	items, total, err := s.store.RunningClocksByVerdict(ctx, a.ID, a.Path, !subtree, verdict, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	out := make([]OverdueLine, len(items))
	for i, it := range items {
		l := OverdueLine{Source: it.Source, TrackingID: it.TrackingID, Category: it.Category, ReportType: it.ReportType,
			AgencyCode: it.AgencyCode, Clock: it.Kind, DueAt: it.DueAt}
		if !it.Confidential {
			l.Title = it.Title
		}
		if verdict == domain.VerdictOverdue {
			l.DaysOverdue = max(0, stats.DaysBetween(it.DueAt, now.In(it.DueAt.Location())))
		}
		out[i] = l
	}
	return out, total, nil
}

// Children lists an agency's direct children (the units a scorecard shows).
func (s *Service) Children(ctx context.Context, code string) ([]store.RollupAgency, error) {
	a, err := s.agency(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.store.RollupAgencyChildren(ctx, a.ID)
}
