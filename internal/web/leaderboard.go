package web

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// The leaderboard (/peringkat) lists every government (province, regency,
// city) or, within a province, every unit, with the headline figures.
// Sorting, filters, search and pages are plain GET parameters, so it works
// without JavaScript:
//
//	?jenis=provinsi|kabupaten|kota|opd  &provinsi=32  &q=bandung
//	&periode=2025  &sort=first_response_on_time  &order=asc|desc  &hal=2

// boardPageSize is the number of rows per leaderboard page.
const boardPageSize = 50

// boardRow is one line of the leaderboard.
type boardRow struct {
	metricsRow
	Kind         domain.AgencyKind
	ProvinceCode string
	ProvinceName string
	UpdatedAt    *time.Time
}

var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return l
}()

// governmentKinds are the kinds the leaderboard calls governments.
var governmentKinds = []domain.AgencyKind{domain.KindProvinsi, domain.KindKabupaten, domain.KindKota}

// figuresUnder reads the leaderboard of a parent's children for a period.
func (s *Site) figuresUnder(ctx context.Context, parent, period string) ([]metrics.Figures, error) {
	b, err := s.metrics.Leaderboard(ctx, metrics.BoardQuery{Parent: parent, Period: period})
	if err != nil {
		return nil, err
	}
	return b.Entries, nil
}

// boardRows collects the rows for a kind filter ("" = every government) and
// an optional province: one roll-up read per province (and, for units, per
// government), never a complaint.
func (s *Site) boardRows(ctx context.Context, period, kind, province string) ([]boardRow, error) {
	provs, err := s.figuresUnder(ctx, agencies.NationalCode, period)
	if err != nil {
		return nil, err
	}
	var out []boardRow
	add := func(f metrics.Figures, p metrics.Figures) {
		out = append(out, boardRow{metricsRow: rowOf(f), Kind: f.Agency.Kind, ProvinceCode: p.Agency.Code, ProvinceName: p.Agency.Name,
			UpdatedAt: f.UpdatedAt})
	}
	for _, p := range provs {
		if p.Agency.Kind != domain.KindProvinsi || (province != "" && p.Agency.Code != province) {
			continue
		}
		if kind == "" || kind == string(domain.KindProvinsi) {
			add(p, p)
		}
		if kind == string(domain.KindProvinsi) {
			continue
		}
		kids, err := s.figuresUnder(ctx, p.Agency.Code, period)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			switch {
			case kind == string(domain.KindOPD) && k.Agency.Kind == domain.KindOPD:
				add(k, p)
			case kind == string(domain.KindOPD) && slices.Contains(governmentKinds, k.Agency.Kind):
				units, err := s.figuresUnder(ctx, k.Agency.Code, period)
				if err != nil {
					return nil, err
				}
				for _, u := range units {
					if u.Agency.Kind == domain.KindOPD {
						add(u, p)
					}
				}
			case kind == "" && (k.Agency.Kind == domain.KindKabupaten || k.Agency.Kind == domain.KindKota),
				kind != "" && kind != string(domain.KindOPD) && string(k.Agency.Kind) == kind:
				add(k, p)
			}
		}
	}
	return out, nil
}

// rowValue is the figure a row is ranked by; false when unknown (shown as
// insufficient data and sorted last in either order).
func rowValue(r boardRow, key string) (float64, bool) {
	rate := func(c rateCell) (float64, bool) { return c.Value, c.Known }
	switch key {
	case "received":
		return float64(r.Received), true
	case "overdue":
		return float64(r.Overdue), true
	case "response_rate":
		return rate(r.ResponseRate)
	case "first_response_on_time":
		return rate(r.FirstOnTime)
	case "completion_on_time":
		return rate(r.CompletionTime)
	case "median_first_response_days":
		return r.MedianDays.V, r.MedianDays.Known
	}
	return 0, false
}

func sortRows(rows []boardRow, key string, desc bool) {
	slices.SortStableFunc(rows, func(a, b boardRow) int {
		var c int
		switch key {
		case "code":
			c = strings.Compare(a.Code, b.Code)
		case "name":
			c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		default:
			va, oka := rowValue(a, key)
			vb, okb := rowValue(b, key)
			switch {
			case oka != okb:
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
		return cmp.Or(c, strings.Compare(a.Code, b.Code))
	})
}

// headlinePeriod is the year the home page and the leaderboard show by
// default: the current national year, or the previous one while the
// current year has no complaints yet (a demo or a fresh install in
// January), which the page then says.
func (s *Site) headlinePeriod(ctx context.Context) (string, bool, metrics.Figures, error) {
	y := s.now().In(jakarta).Year()
	f, err := s.metrics.AgencyMetrics(ctx, agencies.NationalCode, strconv.Itoa(y), true, -1)
	if err != nil {
		return "", false, f, err
	}
	if f.Received == 0 {
		prev, err := s.metrics.AgencyMetrics(ctx, agencies.NationalCode, strconv.Itoa(y-1), true, -1)
		if err != nil {
			return "", false, f, err
		}
		if prev.Received > 0 {
			return strconv.Itoa(y - 1), true, prev, nil
		}
	}
	return strconv.Itoa(y), false, f, nil
}

// fillHeadline adds the national figures and the best and worst
// governments (by first-response on-time rate, only those with n ≥ min n).
func (s *Site) fillHeadline(c *gin.Context, d *homeData) error {
	ctx := c.Request.Context()
	year, fallback, f, err := s.headlinePeriod(ctx)
	if err != nil {
		return err
	}
	if f.UpdatedAt != nil {
		setLastModified(c, *f.UpdatedAt)
	}
	d.Headline = &headline{Year: year, Fallback: fallback, CurrentYear: s.now().In(jakarta).Year(), Received: f.Received,
		Response: cell(f.ResponseRate), OnTime: cell(f.FirstResponseOnTime), Overdue: f.Overdue, MinN: f.MinN}
	rows, err := s.boardRows(ctx, year, "", "")
	if err != nil {
		return err
	}
	var known []boardRow
	for _, r := range rows {
		if r.FirstOnTime.Known {
			known = append(known, r)
		}
	}
	sortRows(known, "first_response_on_time", true)
	k := min(5, len(known)/2)
	d.Best = known[:k]
	for i := len(known) - 1; i >= len(known)-k; i-- {
		d.Worst = append(d.Worst, known[i])
	}
	return nil
}

// choice is one option of a select.
type choice struct {
	Value, Label string
	LabelKey     string // translated when set
	Selected     bool
}

type leaderboardData struct {
	Period      string
	Fallback    bool
	Periods     []choice
	Kinds       []choice
	Provinces   []choice
	Kind        string
	Province    string
	Query       string
	Sort        string
	Desc        bool
	SortURLs    map[string]string
	Heads       map[string]sortHead
	Rows        []boardRow
	Total       int
	Page, Pages int
	First, Last int
	PrevURL     string
	NextURL     string
	MinN        int
	NeedProv    bool // units are listed per province
	ShowProv    bool
}

// sortHead is a sortable column header.
type sortHead struct {
	URL, Key, Class string
	Active          bool
	Dir             string // aria-sort: ascending or descending
}

// boardColumns are the sortable columns: sort key → label key and class.
var boardColumns = map[string][2]string{
	"name": {"col.name", ""}, "received": {"metrics.col.received", "num"}, "response_rate": {"metrics.col.response_rate", "num"},
	"first_response_on_time": {"metrics.col.first_on_time", "num"}, "completion_on_time": {"metrics.col.completion_on_time", "num hide-sm"},
	"median_first_response_days": {"metrics.col.median_first", "num hide-sm"}, "overdue": {"metrics.col.overdue", "num"},
}

// pageURL links the same query with another page number.
func pageURL(u *url.URL, page int) string {
	q := u.Query()
	q.Set("hal", strconv.Itoa(page))
	return u.Path + "?" + q.Encode()
}

// boardSortURL links the same query sorted by key, from its first page.
func boardSortURL(u *url.URL, key, cur string, desc bool) string {
	q := u.Query()
	q.Del("hal")
	order := "desc"
	if key == cur && desc {
		order = "asc"
	}
	if key == "name" || key == "code" || key == "median_first_response_days" || key == "overdue" {
		if key != cur {
			order = "asc"
		}
	}
	q.Set("sort", key)
	q.Set("order", order)
	return u.Path + "?" + q.Encode()
}

func (s *Site) leaderboard(c *gin.Context) {
	ctx := c.Request.Context()
	year, fallback, nf, err := s.headlinePeriod(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := leaderboardData{Period: year, Fallback: fallback, MinN: nf.MinN, Kind: c.Query("jenis"), Province: c.Query("provinsi"),
		Query: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Desc: c.Query("order") != "asc", SortURLs: map[string]string{}}
	if p := c.Query("period"); p != "" {
		if _, err := stats.ParsePeriod(p, s.now().In(jakarta)); err == nil {
			d.Period, d.Fallback = p, false
		}
	}
	if !slices.Contains(metrics.SortKeys(), d.Sort) {
		d.Sort, d.Desc = "first_response_on_time", c.Query("order") != "asc"
	}
	if d.Kind != "" && !slices.Contains([]string{"provinsi", "kabupaten", "kota", "opd"}, d.Kind) {
		d.Kind = ""
	}
	provs, err := s.figuresUnder(ctx, agencies.NationalCode, d.Period)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Provinces = []choice{{Value: "", LabelKey: "board.all_provinces", Selected: d.Province == ""}}
	provOK := false
	for _, p := range provs {
		if p.Agency.Kind == domain.KindProvinsi {
			d.Provinces = append(d.Provinces, choice{Value: p.Agency.Code, Label: p.Agency.Name, Selected: p.Agency.Code == d.Province})
			provOK = provOK || p.Agency.Code == d.Province
		}
	}
	if !provOK {
		d.Province = ""
	}
	for _, k := range []string{"", "provinsi", "kabupaten", "kota", "opd"} {
		key := "board.kind_all"
		if k != "" {
			key = "kind." + k
		}
		d.Kinds = append(d.Kinds, choice{Value: k, LabelKey: key, Selected: k == d.Kind})
	}
	y := s.now().In(jakarta).Year()
	for _, p := range []string{metrics.RollingKey, strconv.Itoa(y), strconv.Itoa(y - 1), strconv.Itoa(y - 2)} {
		o := choice{Value: p, Label: p, Selected: p == d.Period}
		if p == metrics.RollingKey {
			o.Label, o.LabelKey = "", "board.rolling90"
		}
		d.Periods = append(d.Periods, o)
	}
	d.ShowProv = d.Province == ""
	var rows []boardRow
	if d.Kind == "opd" && d.Province == "" {
		d.NeedProv = true
	} else if rows, err = s.boardRows(ctx, d.Period, d.Kind, d.Province); err != nil {
		s.fail(c, err)
		return
	}
	if d.Query != "" {
		q := strings.ToLower(d.Query)
		rows = slices.DeleteFunc(rows, func(r boardRow) bool {
			return !strings.Contains(strings.ToLower(r.Name), q) && !strings.HasPrefix(r.Code, d.Query)
		})
	}
	sortRows(rows, d.Sort, d.Desc)
	for _, r := range rows {
		if r.UpdatedAt != nil {
			setLastModified(c, *r.UpdatedAt)
		}
	}
	d.Heads = map[string]sortHead{}
	for _, k := range metrics.SortKeys() {
		d.SortURLs[k] = boardSortURL(c.Request.URL, k, d.Sort, d.Desc)
		if col, ok := boardColumns[k]; ok {
			h := sortHead{URL: d.SortURLs[k], Key: col[0], Class: col[1], Active: k == d.Sort, Dir: "ascending"}
			if d.Desc {
				h.Dir = "descending"
			}
			d.Heads[k] = h
		}
	}
	d.Total = len(rows)
	d.Pages = max(1, int(math.Ceil(float64(d.Total)/boardPageSize)))
	d.Page, _ = strconv.Atoi(c.Query("hal"))
	d.Page = min(max(d.Page, 1), d.Pages)
	lo := (d.Page - 1) * boardPageSize
	hi := min(lo+boardPageSize, d.Total)
	d.Rows = rows[lo:hi]
	d.First, d.Last = lo+1, hi
	if d.Page > 1 {
		d.PrevURL = pageURL(c.Request.URL, d.Page-1)
	}
	if d.Page < d.Pages {
		d.NextURL = pageURL(c.Request.URL, d.Page+1)
	}
	s.engine.Render(c, http.StatusOK, "leaderboard", "board.title", d)
}
