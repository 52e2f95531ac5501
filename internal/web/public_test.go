package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// fakeMetrics serves figures from a fixed table: per agency code its
// figures (the same for every period, except that the year 2026 is empty
// when emptyNow is set, to test the fallback to the previous year).
type fakeMetrics struct {
	tree     []domain.Agency
	figures  map[string]metrics.Figures
	emptyNow bool
	hist     stats.Histogram
}

func (f *fakeMetrics) fig(code, period string) (metrics.Figures, error) {
	fg, ok := f.figures[code]
	if !ok {
		return metrics.Figures{}, domain.ErrNotFound
	}
	if f.emptyNow && period == "2026" {
		return metrics.Figures{Agency: fg.Agency, MinN: 10}, nil
	}
	fg.Period = stats.Period{Key: period}
	return fg, nil
}

func (f *fakeMetrics) AgencyMetrics(_ context.Context, code, period string, _ bool, _ int) (metrics.Figures, error) {
	return f.fig(code, period)
}

func (f *fakeMetrics) Leaderboard(_ context.Context, q metrics.BoardQuery) (metrics.Board, error) {
	b := metrics.Board{Period: stats.Period{Key: q.Period}, Sort: "response_rate", Order: "desc"}
	for _, a := range f.tree {
		if a.ParentCode == q.Parent {
			fg, err := f.fig(a.Code, q.Period)
			if err != nil {
				return b, err
			}
			b.Entries = append(b.Entries, fg)
		}
	}
	b.Total = len(b.Entries)
	return b, nil
}

func (f *fakeMetrics) Overdue(context.Context, string, domain.Verdict, bool, int, int) ([]metrics.OverdueLine, int64, error) {
	return []metrics.OverdueLine{{Source: "lapor", TrackingID: "T-1", Category: "Infrastruktur", Clock: domain.ClockFirstResponse,
		DueAt: time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC), DaysOverdue: 12}}, 1, nil
}

func (f *fakeMetrics) Trend(_ context.Context, _, _ string, months int, _ bool) ([]metrics.TrendPoint, error) {
	out := make([]metrics.TrendPoint, months)
	for i := range out {
		out[i] = metrics.TrendPoint{Period: time.Date(2025, time.Month(12+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"),
			Rate: stats.NewRate(8+i, 20, 10)}
	}
	out[3].Rate = stats.NewRate(2, 4, 10) // below min n: band, no point
	return out, nil
}

func (f *fakeMetrics) Distribution(context.Context, string, string, bool) (metrics.Distribution, error) {
	return metrics.Distribution{FirstResponse: f.hist}, nil
}

func rate(s, n int) stats.Rate { return stats.NewRate(s, n, 10) }

func publicSite(t *testing.T, m *fakeMetrics, cache time.Duration) *gin.Engine {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := NewEngine(LangID, log)
	require.NoError(t, err)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	site := NewSite(eng, fakeAgencies{all: m.tree}, log).WithMetrics(m).WithClock(func() time.Time { return now }).WithPageCache(cache)
	site.Register(r)
	return r
}

func sampleMetrics() *fakeMetrics {
	updated := time.Date(2026, 5, 10, 3, 0, 0, 0, time.UTC)
	tree := []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat", TimeZone: "Asia/Jakarta"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "32.01", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bogor", TimeZone: "Asia/Jakarta"},
		{Code: "32.73.DINKES", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Dinas Kesehatan Kota Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "36", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Banten", TimeZone: "Asia/Jakarta"},
	}
	f := &fakeMetrics{tree: tree, figures: map[string]metrics.Figures{}}
	on := map[string][2]int{"ID": {700, 1000}, "32": {600, 800}, "32.73": {90, 100}, "32.04": {40, 100}, "32.01": {3, 5}, "32.73.DINKES": {9, 10}, "36": {60, 100}}
	for _, a := range tree {
		o := on[a.Code]
		f.figures[a.Code] = metrics.Figures{Agency: metrics.AgencyRef{Code: a.Code, Name: a.Name, Kind: a.Kind}, Received: int64(o[1]) + 7,
			ResponseRate: rate(o[0], o[1]), FirstResponseOnTime: rate(o[0], o[1]), Overdue: 3, MinN: 10, UpdatedAt: &updated}
	}
	for d, n := range map[int]int{0: 3, 1: 12, 2: 9, 5: 2, 7: 1, 14: 4} {
		_ = f.hist.AddN(d, n)
	}
	return f
}

func body(t *testing.T, r http.Handler, path string) string {
	t.Helper()
	w := get(r, path)
	require.Equal(t, http.StatusOK, w.Code, path)
	return w.Body.String()
}

func TestHomeHeadline(t *testing.T) {
	cases := []struct {
		name     string
		emptyNow bool
		want     []string
		absent   []string
	}{
		{"current year", false, []string{"Angka nasional 2026", "1.007", "70,0%", "n=1000", "Paling tepat waktu", "Kota Bandung", "Paling sering terlambat"},
			[]string{"Belum ada aduan tercatat"}},
		{"previous year while the current one is empty", true, []string{"Angka nasional 2025", "Belum ada aduan tercatat untuk tahun 2026"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := sampleMetrics()
			m.emptyNow = c.emptyNow
			b := body(t, publicSite(t, m, 0), "/")
			for _, s := range c.want {
				require.Contains(t, b, s)
			}
			for _, s := range c.absent {
				require.NotContains(t, b, s)
			}
			// Kabupaten Bogor has n=5 < 10: never ranked best or worst
			best := b[strings.Index(b, `id="best"`):strings.Index(b, `id="entry"`)]
			require.NotContains(t, best, "Kabupaten Bogor")
			require.Less(t, strings.Index(best, "Kota Bandung"), strings.Index(best, "Kabupaten Bandung"), "best first")
		})
	}
}

var boardRowRE = regexp.MustCompile(`<tr data-code="([^"]+)">`)

func boardCodes(b string) []string {
	var out []string
	for _, m := range boardRowRE.FindAllStringSubmatch(b, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestLeaderboard(t *testing.T) {
	r := publicSite(t, sampleMetrics(), 0)
	cases := []struct {
		name, path string
		codes      []string
		want       []string
	}{
		{"every government, on-time rate descending, unknown last", "/peringkat", []string{"32.73", "32", "36", "32.04", "32.01"}, []string{`aria-sort="descending"`}},
		{"ascending", "/peringkat?sort=first_response_on_time&order=asc", []string{"32.04", "36", "32", "32.73", "32.01"}, nil},
		{"by name", "/peringkat?sort=name&order=asc", []string{"36", "32", "32.04", "32.01", "32.73"}, nil},
		{"filter province and kind", "/peringkat?provinsi=32&jenis=kabupaten", []string{"32.04", "32.01"}, nil},
		{"search", "/peringkat?q=bandung", []string{"32.73", "32.04"}, nil},
		{"units need a province", "/peringkat?jenis=opd", nil, []string{"Unit (OPD) ditampilkan per provinsi"}},
		{"units of a province", "/peringkat?jenis=opd&provinsi=32", []string{"32.73.DINKES"}, nil},
		{"unknown sort falls back", "/peringkat?sort=nope", []string{"32.73", "32", "36", "32.04", "32.01"}, nil},
		{"english", "/peringkat?lang=en", []string{"32.73", "32", "36", "32.04", "32.01"}, []string{"Performance leaderboard", "insufficient data"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := body(t, r, c.path)
			require.Equal(t, c.codes, boardCodes(b))
			for _, s := range c.want {
				require.Contains(t, b, s)
			}
		})
	}
}

func TestScorecardCharts(t *testing.T) {
	b := body(t, publicSite(t, sampleMetrics(), 0), "/kinerja/32.73")
	require.Equal(t, 2, strings.Count(b, `<svg class="chart"`), "trend and histogram")
	require.Contains(t, b, `aria-labelledby="trend-title trend-desc"`)
	require.Contains(t, b, `aria-labelledby="days-title days-desc"`)
	require.Contains(t, b, "Tabel data grafik", "a table alternative")
	require.Contains(t, b, "<th scope=\"row\">10&#43;</th><td class=\"num\">4</td>", "the 14-day answers are in the last bin")
	require.Contains(t, b, "31 tanggapan pertama; 26 di antaranya dalam 5 hari kerja.")
	require.Contains(t, b, "T-1")
	require.Contains(t, b, "Dinas Kesehatan Kota Bandung")
}

func TestPublicPageValidators(t *testing.T) {
	r := publicSite(t, sampleMetrics(), time.Minute)
	req := httptest.NewRequest(http.MethodGet, "/peringkat", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "gzip", w.Header().Get("Content-Encoding"))
	require.Equal(t, "public, max-age=60", w.Header().Get("Cache-Control"))
	require.Equal(t, "Sun, 10 May 2026 03:00:00 GMT", w.Header().Get("Last-Modified"))
	zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Contains(t, string(plain), "Peringkat kinerja")
	etag := w.Header().Get("ETag")
	require.NotEmpty(t, etag)

	cases := []struct {
		name   string
		header map[string]string
		path   string
		status int
	}{
		{"same etag", map[string]string{"If-None-Match": etag}, "/peringkat", http.StatusNotModified},
		{"one of several", map[string]string{"If-None-Match": `"x", ` + etag}, "/peringkat", http.StatusNotModified},
		{"other etag", map[string]string{"If-None-Match": `W/"nope"`}, "/peringkat", http.StatusOK},
		{"other language is another body", map[string]string{"If-None-Match": etag}, "/peringkat?lang=en", http.StatusOK},
		{"not modified since", map[string]string{"If-Modified-Since": "Sun, 10 May 2026 04:00:00 GMT"}, "/peringkat", http.StatusNotModified},
		{"modified since", map[string]string{"If-Modified-Since": "Sun, 10 May 2026 02:00:00 GMT"}, "/peringkat", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			require.Equal(t, c.status, w.Code)
			if c.status == http.StatusNotModified {
				require.Zero(t, w.Body.Len())
			}
		})
	}
}

func TestMicroCacheKeepsLanguagesApart(t *testing.T) {
	r := publicSite(t, sampleMetrics(), time.Minute)
	for range 2 { // the second round is served from the cache
		require.Contains(t, body(t, r, "/peringkat?lang=en"), "Performance leaderboard")
		require.Contains(t, body(t, r, "/peringkat?lang=id"), "Peringkat kinerja")
		en := get(r, "/peringkat", &http.Cookie{Name: langCookie, Value: "en"})
		require.Contains(t, en.Body.String(), "Performance leaderboard")
	}
	// ?lang= still sets the cookie when the page comes from the cache
	w := get(r, "/peringkat?lang=en")
	require.Contains(t, w.Header().Get("Set-Cookie"), "lang=en")
}

func TestSortKeysHaveLabels(t *testing.T) {
	for _, k := range metrics.SortKeys() {
		for _, l := range Langs {
			_, ok := messages[l]["board.sort."+k]
			require.True(t, ok, "board.sort.%s in %s", k, l)
		}
	}
}
