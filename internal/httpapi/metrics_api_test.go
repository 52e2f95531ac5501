package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/web"
)

// metricsNow is Monday 2025-06-02 09:00 WIB.
var metricsNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))

// newMetricsHarness stores Kota Bandung (32.73) with 7 complaints in May
// 2025, all answered the next day, and Kabupaten Bandung (32.04) with 12,
// of which 2 are still unanswered and overdue (one confidential).
func newMetricsHarness(t *testing.T, st *store.Store) *gin.Engine {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return metricsNow }
	rec := audit.NewRecorder(st, log, now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
		{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung"},
	} {
		a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	ids := map[string]int64{}
	refs, err := st.ClockAgencies(ctx)
	require.NoError(t, err)
	for _, r := range refs {
		ids[r.Code] = r.ID
	}
	cals := clocks.NewCalendars(st, log, now)
	pols := clocks.NewPolicies(st, acc, rec, now)
	ck := clocks.NewService(st, cals, pols, rec, log, now)
	m := metrics.NewService(st, log, now, 10)
	ck.OnClocksReplaced = m.MarkComplaints

	var dirty []int64
	add := func(gov string, i int, answered, confidential bool) {
		wib := metricsNow.Location()
		sub := time.Date(2025, 5, 5+i, 9, 0, 0, 0, wib)
		tid := fmt.Sprintf("%s-%02d", gov, i)
		c := domain.Complaint{Source: "lapor", TrackingID: tid, ReportType: domain.ReportPengaduan, Category: "jalan",
			SubmittedAt: sub, AgencyCode: gov, Title: "Judul " + tid, Confidential: confidential}
		got, err := st.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: c, AgencyID: ids[gov], GovernmentCode: gov,
			Reporter: domain.Reporter{Name: "Siti Pelapor", Contact: "0812-9999"}}}, metricsNow)
		require.NoError(t, err)
		id := got[store.ComplaintKey{Source: "lapor", TrackingID: tid}]
		evs := []domain.Event{
			{Kind: domain.EventSubmitted, At: sub, AgencyCode: gov},
			{Kind: domain.EventAssigned, At: sub.Add(time.Hour), ToAgencyCode: gov},
		}
		if answered {
			evs = append(evs, domain.Event{Kind: domain.EventResponded, At: sub.Add(25 * time.Hour), AgencyCode: gov})
		}
		var ws []store.EventWrite
		for j, e := range evs {
			e.Source, e.TrackingID, e.EventID = "lapor", tid, fmt.Sprintf("%s-%d", tid, j)
			ws = append(ws, store.EventWrite{ComplaintID: id, Event: e, AgencyID: ids[e.AgencyCode], ToAgencyID: ids[e.ToAgencyCode]})
		}
		_, err = st.InsertEvents(ctx, ws, metricsNow)
		require.NoError(t, err)
		dirty = append(dirty, id)
	}
	for i := range 7 {
		add("32.73", i, true, false)
	}
	for i := range 12 {
		add("32.04", i, i >= 2, i == 0)
	}
	require.NoError(t, st.MarkComplaintsDirty(ctx, dirty, metricsNow))
	_, err = ck.RecomputeDirty(ctx)
	require.NoError(t, err)
	_, err = m.Refresh(ctx)
	require.NoError(t, err)

	eng, err := web.NewEngine(web.LangID, log)
	require.NoError(t, err)
	site := web.NewSite(eng, ag, log).WithMetrics(m)
	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Rollups: m,
		Health: health.NewChecker(st), MaxBodyBytes: 1 << 16, Site: site})
	require.NoError(t, err)
	return engine
}

func get(t *testing.T, e *gin.Engine, url string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
	return w.Code, w.Body.String()
}

func TestMetricsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newMetricsHarness(t, st)

		t.Run("a government with 7 complaints has no rate, with the reason", func(t *testing.T) {
			code, body := get(t, e, "/api/v1/agencies/32.73/metrics?period=2025-05")
			require.Equal(t, http.StatusOK, code, body)
			var f struct {
				Received     int `json:"received"`
				ResponseRate struct {
					Value  *float64 `json:"value"`
					N      int      `json:"n"`
					Reason string   `json:"reason"`
				} `json:"response_rate"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &f))
			require.Equal(t, 7, f.Received)
			require.Nil(t, f.ResponseRate.Value)
			require.Equal(t, 7, f.ResponseRate.N)
			require.Equal(t, "insufficient data", f.ResponseRate.Reason)
		})

		t.Run("12 complaints give a rate with n and interval, and within=N", func(t *testing.T) {
			code, body := get(t, e, "/api/v1/agencies/32.04/metrics?period=2025-Q2&within=1")
			require.Equal(t, http.StatusOK, code, body)
			var f struct {
				ResponseRate stats.Rate `json:"response_rate"`
				Overdue      int64      `json:"overdue"`
				Within       struct {
					FirstResponse stats.Rate `json:"first_response"`
				} `json:"within"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &f))
			require.NotNil(t, f.ResponseRate.Value)
			require.InDelta(t, 10.0/12, *f.ResponseRate.Value, 1e-12)
			require.Equal(t, 12, f.ResponseRate.N)
			require.Less(t, f.ResponseRate.Low, *f.ResponseRate.Value)
			require.EqualValues(t, 2, f.Overdue)
			require.Equal(t, 10, f.Within.FirstResponse.N)
			require.InDelta(t, 1.0, *f.Within.FirstResponse.Value, 1e-12, "answered one working day after receipt")
		})

		t.Run("leaderboard sorts, unknown last", func(t *testing.T) {
			code, body := get(t, e, "/api/v1/leaderboard?parent=32&period=2025-05&sort=response_rate&order=asc")
			require.Equal(t, http.StatusOK, code, body)
			var b struct {
				Total   int `json:"total"`
				Entries []struct {
					Agency metrics.AgencyRef `json:"agency"`
				} `json:"entries"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &b))
			require.Equal(t, 2, b.Total)
			require.Equal(t, []string{"32.04", "32.73"}, []string{b.Entries[0].Agency.Code, b.Entries[1].Agency.Code})
		})

		t.Run("overdue list has public fields only", func(t *testing.T) {
			code, body := get(t, e, "/api/v1/agencies/32.04/overdue")
			require.Equal(t, http.StatusOK, code, body)
			// one line per overdue clock: first response and completion of both
			require.Contains(t, body, `"total":4`)
			require.Contains(t, body, `"clock":"completion"`)
			require.Contains(t, body, "32.04-01")
			require.Contains(t, body, "Judul 32.04-01")
			require.Contains(t, body, `"tracking_id":"32.04-00"`)
			require.NotContains(t, body, "Judul 32.04-00", "a confidential complaint shows no title")
			require.NotContains(t, body, "Siti")
			require.NotContains(t, body, "0812")
		})

		t.Run("trend", func(t *testing.T) {
			code, body := get(t, e, "/api/v1/agencies/32.04/trend?metric=response_rate&months=2")
			require.Equal(t, http.StatusOK, code, body)
			require.Contains(t, body, `"period":"2025-05"`)
			require.Contains(t, body, `"period":"2025-06"`)
		})

		for _, c := range []struct{ name, url string }{
			{"bad period", "/api/v1/agencies/32/metrics?period=2025-13"},
			{"bad within", "/api/v1/agencies/32/metrics?within=-2"},
			{"bad sort", "/api/v1/leaderboard?parent=32&sort=nope"},
			{"bad metric", "/api/v1/agencies/32/trend?metric=nope"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, body := get(t, e, c.url)
				require.Equal(t, http.StatusUnprocessableEntity, code, body)
			})
		}
		t.Run("unknown agency", func(t *testing.T) {
			code, _ := get(t, e, "/api/v1/agencies/99/metrics")
			require.Equal(t, http.StatusNotFound, code)
		})

		t.Run("province page shows insufficient data for the small government", func(t *testing.T) {
			code, body := get(t, e, "/wilayah/32?period=2025-05&sort=received&order=asc")
			require.Equal(t, http.StatusOK, code)
			table := strings.Index(body, `id="metrics"`)
			require.Positive(t, table, "the page has the metrics table")
			body = body[table:]
			i := strings.Index(body, "Kota Bandung</a></td>")
			require.Positive(t, i, "the metrics table lists Kota Bandung")
			row := body[i : i+strings.Index(body[i:], "</tr>")]
			require.Contains(t, row, "data belum cukup (n=7)")
			j := strings.Index(body, "Kabupaten Bandung</a></td>")
			require.Positive(t, j)
			require.Less(t, i, j, "ascending by received: 7 before 12")
			row = body[j : j+strings.Index(body[j:], "</tr>")]
			require.Contains(t, row, "83,3%")
		})
		t.Run("scorecard page", func(t *testing.T) {
			code, body := get(t, e, "/kinerja/32.04?period=2025-Q2&lang=en")
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, body, "32.04-01")
			require.NotContains(t, body, "Judul 32.04-00")
			code, body = get(t, e, "/kinerja/32.73?period=2025-05&lang=en")
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, body, "insufficient data (n=7)")
		})
	})
}
