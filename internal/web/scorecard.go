package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/web/charts"
)

// MetricsReader is what the metric pages need of the metrics service.
type MetricsReader interface {
	AgencyMetrics(ctx context.Context, code, period string, subtree bool, within int) (metrics.Figures, error)
	Leaderboard(ctx context.Context, q metrics.BoardQuery) (metrics.Board, error)
	Overdue(ctx context.Context, code string, v domain.Verdict, subtree bool, limit, offset int) ([]metrics.OverdueLine, int64, error)
	Trend(ctx context.Context, code, metric string, months int, subtree bool) ([]metrics.TrendPoint, error)
	Distribution(ctx context.Context, code, period string, subtree bool) (metrics.Distribution, error)
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
	r.GET("/kinerja/:code", s.public(s.scorecard))
	r.GET("/peringkat", s.public(s.leaderboard))
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
func (s *Site) boardFor(c *gin.Context, parent, defPeriod string) (*metricsTable, error) {
	if s.metrics == nil {
		return nil, nil
	}
	q := metrics.BoardQuery{Parent: parent, Period: c.Query("period"), Sort: c.Query("sort"), Desc: c.Query("order") != "asc"}
	if _, err := stats.ParsePeriod(q.Period, s.now()); q.Period == "" || err != nil {
		q.Period = defPeriod
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
	if s.metrics == nil {
		return rows, nil, nil
	}
	year, _, _, err := s.headlinePeriod(c.Request.Context())
	if err != nil {
		return rows, nil, err
	}
	t, err := s.boardFor(c, parent, year)
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

type chartRow struct {
	Label string
	Cell  rateCell
}

type histRow struct {
	Label string
	Count int64
	Share float64
}

// scorecardSPBE is a government's SPBE history and derived indicator 42.
type scorecardSPBE struct {
	History []spbeHistoryRow
	Chart   template.HTML
	Derived []spbeindex.DerivedIndicator
}

// linesBlock is a table of overdue or at-risk complaints.
type linesBlock struct {
	Caption string
	Lines   []metrics.OverdueLine
	Overdue bool
}

type scorecardData struct {
	Agency                    metrics.AgencyRef
	Period                    stats.Period
	Periods                   []choice
	Figures                   metrics.Figures
	Response                  rateCell
	FirstOn                   rateCell
	CompOn                    rateCell
	FirstDay                  daysCell
	CompDay                   daysCell
	TrendChart                template.HTML
	Trend                     []chartRow
	HistChart                 template.HTML
	Hist                      []histRow
	HistN                     int
	Limit                     int
	Units                     *metricsTable
	Overdue                   []metrics.OverdueLine
	OverdueN                  int64
	AtRisk                    []metrics.OverdueLine
	AtRiskN                   int64
	OverdueBlock, AtRiskBlock linesBlock
	Commitments               []CommitmentCard
	HasCommit                 bool
	SPBE                      *scorecardSPBE
}

// trendMonths is how many months the scorecard's trend covers.
const trendMonths = 12

// firstResponseLimit is the national first-response limit in working days,
// marked on the histogram (agency overrides may be stricter).
func firstResponseLimit() int {
	d, _, ok := slapolicy.DefaultNational().Limit(domain.ReportPengaduan, "", domain.KindKabupaten, domain.ClockFirstResponse)
	if !ok {
		return 5
	}
	return d
}

// periodOptions are the periods a page offers: rolling 90 days and the
// last three years.
func (s *Site) periodOptions(cur string) []choice {
	y := s.now().In(jakarta).Year()
	var out []choice
	for _, p := range []string{metrics.RollingKey, strconv.Itoa(y), strconv.Itoa(y - 1), strconv.Itoa(y - 2)} {
		o := choice{Value: p, Label: p, Selected: p == cur}
		if p == metrics.RollingKey {
			o.Label, o.LabelKey = "", "board.rolling90"
		}
		out = append(out, o)
	}
	return out
}

// scorecard is an agency's page: headline figures over its subtree, the
// monthly on-time trend with its interval, the distribution of working
// days to first response, its units side by side, its overdue and at-risk
// complaints (public fields only), its commitments and (for a government)
// its SPBE history with the derived indicator 42.
func (s *Site) scorecard(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.engine.langOf(c)
	tr := translator(lang)
	code, period := c.Param("code"), c.Query("period")
	if _, err := stats.ParsePeriod(period, s.now()); period == "" || err != nil {
		year, _, _, err := s.headlinePeriod(ctx)
		if err != nil {
			s.fail(c, err)
			return
		}
		period = year
	}
	f, err := s.metrics.AgencyMetrics(ctx, code, period, true, -1)
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.UpdatedAt != nil {
		setLastModified(c, *f.UpdatedAt)
	}
	d := scorecardData{Agency: f.Agency, Period: f.Period, Periods: s.periodOptions(f.Period.Key), Figures: f, Response: cell(f.ResponseRate),
		FirstOn: cell(f.FirstResponseOnTime), CompOn: cell(f.CompletionOnTime), FirstDay: days(f.FirstResponseDays), CompDay: days(f.CompletionDays),
		Limit: firstResponseLimit()}

	trend, err := s.metrics.Trend(ctx, code, "first_response_on_time", trendMonths, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	line := charts.Line{Text: charts.Text{ID: "trend", Title: tr("chart.trend_title"), XLabel: tr("chart.month"), YLabel: tr("chart.on_time")},
		YMax: 1, Format: func(v float64) string { return FormatPercent(lang, v, 0) }}
	for _, p := range trend {
		label := p.Period
		if t, err := time.Parse("2006-01", p.Period); err == nil {
			label = monthsShort[lang][t.Month()-1] + " " + t.Format("06")
		}
		rc := cell(p.Rate)
		d.Trend = append(d.Trend, chartRow{Label: label, Cell: rc})
		line.Points = append(line.Points, charts.Point{Label: label, Value: rc.Value, Known: rc.Known, Low: rc.Low, High: rc.High, HasBand: rc.N > 0})
	}
	if len(d.Trend) > 0 {
		line.Desc = tr("chart.trend_desc", d.Trend[0].Label, d.Trend[len(d.Trend)-1].Label, f.MinN)
	}
	d.TrendChart = line.SVG()

	dist, err := s.metrics.Distribution(ctx, code, period, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.HistN = dist.FirstResponse.N()
	top := max(10, 2*d.Limit)
	hist := charts.Histogram{Text: charts.Text{ID: "days", Title: tr("chart.days_title"), XLabel: tr("chart.working_days"), YLabel: tr("chart.complaints")},
		Marker: d.Limit, MarkerLabel: tr("chart.limit", d.Limit), Format: func(v float64) string { return FormatNumber(lang, v, 0) }}
	for day := 0; day <= top; day++ {
		n, label := dist.FirstResponse.CountAt(day), strconv.Itoa(day)
		if day == top {
			n, label = d.HistN-dist.FirstResponse.CountAtMost(top-1), strconv.Itoa(top)+"+"
		}
		hist.Bins = append(hist.Bins, charts.Bin{Label: label, Count: n})
		share := 0.0
		if d.HistN > 0 {
			share = float64(n) / float64(d.HistN)
		}
		d.Hist = append(d.Hist, histRow{Label: label, Count: int64(n), Share: share})
	}
	hist.Desc = tr("chart.days_desc", d.HistN, dist.FirstResponse.CountAtMost(d.Limit), d.Limit)
	d.HistChart = hist.SVG()

	if d.Units, err = s.boardFor(c, code, period); err != nil {
		s.fail(c, err)
		return
	}
	if d.Overdue, d.OverdueN, err = s.metrics.Overdue(ctx, code, domain.VerdictOverdue, true, 50, 0); err != nil {
		s.fail(c, err)
		return
	}
	if d.AtRisk, d.AtRiskN, err = s.metrics.Overdue(ctx, code, domain.VerdictAtRisk, true, 50, 0); err != nil {
		s.fail(c, err)
		return
	}
	d.OverdueBlock = linesBlock{Caption: "metrics.overdue_list", Lines: d.Overdue, Overdue: true}
	d.AtRiskBlock = linesBlock{Caption: "score.at_risk_list", Lines: d.AtRisk}
	if s.commitments != nil {
		d.HasCommit = true
		if d.Commitments, err = AgencyCommitments(ctx, s.commitments, code, s.commitmentClock()); err != nil {
			s.fail(c, err)
			return
		}
		for i := range d.Commitments {
			withProgress(lang, &d.Commitments[i])
		}
	}
	if s.spbe != nil && slices.Contains(governmentKinds, f.Agency.Kind) {
		ov, err := s.spbe.Overview(ctx, code)
		switch {
		case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrInvalid):
		case err != nil:
			s.fail(c, err)
			return
		default:
			d.SPBE = s.scorecardSPBE(lang, ov)
		}
	}
	s.engine.RenderTitled(c, http.StatusOK, "scorecard", f.Agency.Name, d)
}

// scorecardSPBE is the SPBE part of a scorecard: the final index per year
// as bars (0 to the top level, 5) and the derived indicator 42.
func (s *Site) scorecardSPBE(lang Lang, ov spbeindex.Overview) *scorecardSPBE {
	tr := translator(lang)
	out := &scorecardSPBE{Derived: ov.Derived}
	bars := charts.Bars{Text: charts.Text{ID: "spbe", Title: tr("chart.spbe_title"), XLabel: tr("spbe.col.year"), YLabel: tr("spbe.col.index")},
		YMax: 5, Format: func(v float64) string { return FormatNumber(lang, v, 2) }}
	var parts []string
	seen := map[int]bool{}
	for _, r := range ov.History {
		h := historyRow(r)
		out.History = append(out.History, h)
		if r.Stage != domain.StageFinal || seen[r.Year] {
			continue
		}
		seen[r.Year] = true
		bars.Bars = append(bars.Bars, charts.Bar{Label: strconv.Itoa(r.Year), Value: h.Index.V, Known: h.Index.OK})
		if h.Index.OK {
			parts = append(parts, strconv.Itoa(r.Year)+": "+FormatNumber(lang, h.Index.V, 2))
		}
	}
	slices.SortFunc(bars.Bars, func(a, b charts.Bar) int { return strings.Compare(a.Label, b.Label) })
	slices.Sort(parts)
	bars.Desc = tr("chart.spbe_desc", strings.Join(parts, "; "))
	if len(bars.Bars) > 0 {
		out.Chart = bars.SVG()
	}
	return out
}
