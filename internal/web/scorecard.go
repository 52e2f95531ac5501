package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// MetricsReader is what the metric pages need of the metrics service.
type MetricsReader interface {
	AgencyMetrics(ctx context.Context, code, period string, subtree bool, within int) (metrics.Figures, error)
	Leaderboard(ctx context.Context, q metrics.BoardQuery) (metrics.Board, error)
	Overdue(ctx context.Context, code string, v domain.Verdict, subtree bool, limit, offset int) ([]metrics.OverdueLine, int64, error)
}

// WithMetrics adds performance figures to the home and region pages and the
// scorecard page /kinerja/{code}.
func (s *Site) WithMetrics(r MetricsReader) *Site {
	s.metrics = r
	return s
}

func (s *Site) registerMetrics(r *gin.Engine) {
	if s.metrics == nil {
		return
	}
	r.GET("/kinerja/:code", s.scorecard)
}

// rateCell is a rate as a page shows it: the value with n and its 95 %
// interval, or "insufficient data" with n.
type rateCell struct {
	Known     bool
	Value     float64
	Low, High float64
	N         int
}

func cell(r stats.Rate) rateCell {
	c := rateCell{N: r.N, Low: r.Low, High: r.High}
	if r.Value != nil {
		c.Known, c.Value = true, *r.Value
	}
	return c
}

// daysCell is a median number of working days, or unknown below min n.
type daysCell struct {
	Known bool
	V     float64
	N     int
}

func days(d stats.DaysSummary) daysCell {
	if d.Median == nil {
		return daysCell{N: d.N}
	}
	return daysCell{Known: true, V: *d.Median, N: d.N}
}

type metricsRow struct {
	Code, Name     string
	Received       int64
	Overdue        int64
	ResponseRate   rateCell
	FirstOnTime    rateCell
	CompletionTime rateCell
	MedianDays     daysCell
}

func rowOf(f metrics.Figures) metricsRow {
	return metricsRow{Code: f.Agency.Code, Name: f.Agency.Name, Received: f.Received, Overdue: f.Overdue,
		ResponseRate: cell(f.ResponseRate), FirstOnTime: cell(f.FirstResponseOnTime), CompletionTime: cell(f.CompletionOnTime),
		MedianDays: days(f.FirstResponseDays)}
}

// metricsTable is a server-sorted leaderboard of a parent's children.
type metricsTable struct {
	Period   string // period key
	Sort     string
	Desc     bool
	MinN     int
	Rows     []metricsRow
	SortURLs map[string]string // sort key → link that sorts by it
}

// sortURL links the same page sorted by key: descending first, and the
// other direction when it is already the sort.
func sortURL(u *url.URL, key, cur string, desc bool) string {
	q := u.Query()
	order := "desc"
	if key == cur && desc {
		order = "asc"
	}
	q.Set("sort", key)
	q.Set("order", order)
	return u.Path + "?" + q.Encode()
}

// boardFor builds the table of the parent's children for the request's
// period and sort (?period=, ?sort=, ?order=); unknown values fall back to
// the defaults rather than failing the page.
func (s *Site) boardFor(c *gin.Context, parent string) (*metricsTable, error) {
	if s.metrics == nil {
		return nil, nil
	}
	q := metrics.BoardQuery{Parent: parent, Period: c.Query("period"), Sort: c.Query("sort"), Desc: c.Query("order") != "asc"}
	if _, err := stats.ParsePeriod(q.Period, time.Now()); q.Period != "" && err != nil {
		q.Period = ""
	}
	b, err := s.metrics.Leaderboard(c.Request.Context(), q)
	if errors.Is(err, domain.ErrInvalid) {
		q.Sort = ""
		b, err = s.metrics.Leaderboard(c.Request.Context(), q)
	}
	if err != nil {
		return nil, err
	}
	t := &metricsTable{Period: b.Period.Key, Sort: b.Sort, Desc: b.Order == "desc", SortURLs: map[string]string{}}
	for _, k := range metrics.SortKeys() {
		t.SortURLs[k] = sortURL(c.Request.URL, k, b.Sort, t.Desc)
	}
	for _, f := range b.Entries {
		t.MinN = f.MinN
		t.Rows = append(t.Rows, rowOf(f))
	}
	return t, nil
}

// withMetrics adds each row's figures (from the leaderboard of parent) and,
// when the request asks for a sort (?sort=), orders the rows by it; without
// one the rows keep their order.
func (s *Site) withMetrics(c *gin.Context, parent string, rows []regionRow) ([]regionRow, *metricsTable, error) {
	t, err := s.boardFor(c, parent)
	if err != nil || t == nil {
		return rows, t, err
	}
	rank := make(map[string]int, len(t.Rows))
	for i := range t.Rows {
		rank[t.Rows[i].Code] = i
	}
	for i := range rows {
		if j, ok := rank[rows[i].Code]; ok {
			rows[i].M = &t.Rows[j]
		}
	}
	if c.Query("sort") != "" {
		sort.SliceStable(rows, func(i, j int) bool {
			ri, iok := rank[rows[i].Code]
			rj, jok := rank[rows[j].Code]
			if iok != jok {
				return iok
			}
			return ri < rj
		})
	}
	return rows, t, nil
}

type scorecardData struct {
	Agency   metrics.AgencyRef
	Period   stats.Period
	Figures  metrics.Figures
	Response rateCell
	FirstOn  rateCell
	CompOn   rateCell
	FirstDay daysCell
	CompDay  daysCell
	Units    *metricsTable
	Overdue  []metrics.OverdueLine
	OverdueN int64
}

// scorecard is an agency's page: headline figures over its subtree, its
// units side by side, and its overdue complaints (public fields only).
func (s *Site) scorecard(c *gin.Context) {
	ctx := c.Request.Context()
	code, period := c.Param("code"), c.Query("period")
	if _, err := stats.ParsePeriod(period, time.Now()); period != "" && err != nil {
		period = ""
	}
	f, err := s.metrics.AgencyMetrics(ctx, code, period, true, -1)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := scorecardData{Agency: f.Agency, Period: f.Period, Figures: f, Response: cell(f.ResponseRate), FirstOn: cell(f.FirstResponseOnTime),
		CompOn: cell(f.CompletionOnTime), FirstDay: days(f.FirstResponseDays), CompDay: days(f.CompletionDays)}
	if d.Units, err = s.boardFor(c, code); err != nil {
		s.fail(c, err)
		return
	}
	if d.Overdue, d.OverdueN, err = s.metrics.Overdue(ctx, code, domain.VerdictOverdue, true, 50, 0); err != nil {
		s.fail(c, err)
		return
	}
	s.engine.RenderTitled(c, http.StatusOK, "scorecard", f.Agency.Name, d)
}
