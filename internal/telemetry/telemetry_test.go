package telemetry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/telemetry"
)

// sample is one gathered series: its labels and value (counter, gauge or
// histogram sample count).
type sample struct {
	labels map[string]string
	value  float64
	sum    float64
}

func gather(t *testing.T, m *telemetry.Metrics) map[string][]sample {
	t.Helper()
	fams, err := m.Registry().Gather()
	require.NoError(t, err)
	out := make(map[string][]sample)
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			s := sample{labels: map[string]string{}}
			for _, lp := range mt.GetLabel() {
				s.labels[lp.GetName()] = lp.GetValue()
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				s.value = mt.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				s.value = mt.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				s.value = float64(mt.GetHistogram().GetSampleCount())
				s.sum = mt.GetHistogram().GetSampleSum()
			}
			out[f.GetName()] = append(out[f.GetName()], s)
		}
	}
	return out
}

// find returns the sample of family name whose labels equal want.
func find(t *testing.T, got map[string][]sample, name string, want map[string]string) (sample, bool) {
	t.Helper()
	for _, s := range got[name] {
		if len(s.labels) != len(want) {
			continue
		}
		match := true
		for k, v := range want {
			if s.labels[k] != v {
				match = false
			}
		}
		if match {
			return s, true
		}
	}
	return sample{}, false
}

func value(t *testing.T, got map[string][]sample, name string, labels map[string]string) float64 {
	t.Helper()
	s, ok := find(t, got, name, labels)
	require.True(t, ok, "no %s%v; have %v", name, labels, got[name])
	return s.value
}

func TestRegistryHasBuildInfoAndRuntimeCollectors(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{Version: "v1.2.3", Commit: "abcdef123456", GoVersion: "go1.26.8"}, telemetry.Options{})
	got := gather(t, m)
	require.Equal(t, 1.0, value(t, got, "tanggap_build_info", map[string]string{"version": "v1.2.3", "commit": "abcdef123456", "goversion": "go1.26.8"}))
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "go_info"} {
		require.Contains(t, got, name)
	}
}

func TestObserveHTTPLabels(t *testing.T) {
	cases := []struct {
		name       string
		method     string
		route      string
		status     int
		wantMethod string
		wantRoute  string
	}{
		{"route template kept", "GET", "/api/v1/agencies/:code", 200, "GET", "/api/v1/agencies/:code"},
		{"no route is unmatched", "GET", "", 404, "GET", "unmatched"},
		{"odd method collapses", "BREW", "", 405, "other", "unmatched"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{})
			m.ObserveHTTP(tc.method, tc.route, tc.status, 30*time.Millisecond)
			m.ObserveHTTP(tc.method, tc.route, tc.status, 70*time.Millisecond)
			got := gather(t, m)
			lbl := map[string]string{"method": tc.wantMethod, "route": tc.wantRoute, "status": strconv.Itoa(tc.status)}
			require.Equal(t, 2.0, value(t, got, "tanggap_http_requests_total", lbl))
			h, ok := find(t, got, "tanggap_http_request_duration_seconds", lbl)
			require.True(t, ok)
			require.Equal(t, 2.0, h.value)
			require.InDelta(t, 0.1, h.sum, 1e-9)
			require.Len(t, got["tanggap_http_requests_total"], 1, "one series only")
		})
	}
}

func TestIngestAndImportCountersStayBounded(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{})
	m.IngestRows(telemetry.RowCreated, 5)
	m.IngestRows(telemetry.RowCreated, 2)
	m.IngestRows(telemetry.RowRejected, 1)
	m.IngestRows(telemetry.RowUpdated, 0)       // nothing happened: no series
	m.IngestRows("Budi Santoso <budi@x.id>", 1) // a caller bug must not become a label
	m.ImportJobStatus(telemetry.ImportQueued)
	m.ImportJobStatus(telemetry.ImportDone)
	m.ImportJobStatus(telemetry.ImportDone)

	got := gather(t, m)
	require.Equal(t, 7.0, value(t, got, "tanggap_ingest_rows_total", map[string]string{"outcome": "created"}))
	require.Equal(t, 1.0, value(t, got, "tanggap_ingest_rows_total", map[string]string{"outcome": "rejected"}))
	require.Equal(t, 1.0, value(t, got, "tanggap_ingest_rows_total", map[string]string{"outcome": "other"}))
	_, has := find(t, got, "tanggap_ingest_rows_total", map[string]string{"outcome": "updated"})
	require.False(t, has)
	require.Len(t, got["tanggap_ingest_rows_total"], 3)
	require.Equal(t, 2.0, value(t, got, "tanggap_import_jobs_total", map[string]string{"status": "done"}))
	require.Equal(t, 1.0, value(t, got, "tanggap_import_jobs_total", map[string]string{"status": "queued"}))
}

func TestJobRuns(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{})
	t1 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	t2 := t1.Add(10 * time.Minute)
	m.JobRun("sla-sweep", telemetry.JobSucceeded, 2*time.Second, t1)
	m.JobRun("sla-sweep", telemetry.JobFailed, 3*time.Second, t2) // must not move last success
	m.JobRun("sla-sweep", telemetry.JobSkipped, 0, t2)
	m.JobRun("rollups", telemetry.JobFailed, time.Second, t2)

	got := gather(t, m)
	job := func(j, o string) map[string]string { return map[string]string{"job": j, "outcome": o} }
	require.Equal(t, 1.0, value(t, got, "tanggap_job_runs_total", job("sla-sweep", "success")))
	require.Equal(t, 1.0, value(t, got, "tanggap_job_runs_total", job("sla-sweep", "failure")))
	require.Equal(t, 1.0, value(t, got, "tanggap_job_runs_total", job("sla-sweep", "skipped")))
	require.Equal(t, float64(t1.Unix()), value(t, got, "tanggap_job_last_success_timestamp_seconds", map[string]string{"job": "sla-sweep"}))
	_, has := find(t, got, "tanggap_job_last_success_timestamp_seconds", map[string]string{"job": "rollups"})
	require.False(t, has, "a job that never succeeded has no last-success series")
	d, ok := find(t, got, "tanggap_job_duration_seconds", map[string]string{"job": "sla-sweep"})
	require.True(t, ok)
	require.Equal(t, 2.0, d.value, "skipped runs are not timed")
	require.InDelta(t, 5.0, d.sum, 1e-9)

}

func TestCalendarYearsAhead(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{})
	require.NotContains(t, gather(t, m), "tanggap_calendar_years_ahead", "unknown coverage is absent, not 0")

	m.SetCalendarYearsAhead(0)
	require.Equal(t, 0.0, value(t, gather(t, m), "tanggap_calendar_years_ahead", map[string]string{}))

	years, fail := 1, false
	m.SetCalendarSource(func(context.Context) (int, error) {
		if fail {
			return 0, errors.New("database down")
		}
		return years, nil
	})
	require.Equal(t, 1.0, value(t, gather(t, m), "tanggap_calendar_years_ahead", map[string]string{}))
	years = 2 // holidays imported: the next scrape sees it
	require.Equal(t, 2.0, value(t, gather(t, m), "tanggap_calendar_years_ahead", map[string]string{}))
	fail = true
	require.Equal(t, 2.0, value(t, gather(t, m), "tanggap_calendar_years_ahead", map[string]string{}), "last value kept")
}

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func TestClockGaugesRefreshFromSource(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{Now: clk.now, ClockRefreshEvery: time.Minute})
	calls := 0
	var fail bool
	rows := []telemetry.GovernmentClocks{{Government: "32", Open: 120, Overdue: 7}, {Government: "32.73", Open: 40, Overdue: 0}}
	m.SetClockSource(func(context.Context) ([]telemetry.GovernmentClocks, error) {
		calls++
		if fail {
			return nil, errors.New("database down")
		}
		return rows, nil
	})
	gov := func(code string) map[string]string { return map[string]string{"government": code} }

	got := gather(t, m)
	require.Equal(t, 1, calls)
	require.Equal(t, 120.0, value(t, got, "tanggap_clocks_open", gov("32")))
	require.Equal(t, 7.0, value(t, got, "tanggap_clocks_overdue", gov("32")))
	require.Equal(t, 0.0, value(t, got, "tanggap_clocks_overdue", gov("32.73")))

	// Within the refresh interval the source is not asked again.
	rows = []telemetry.GovernmentClocks{{Government: "32", Open: 121, Overdue: 8}}
	clk.t = clk.t.Add(30 * time.Second)
	got = gather(t, m)
	require.Equal(t, 1, calls)
	require.Equal(t, 120.0, value(t, got, "tanggap_clocks_open", gov("32")))

	// After it, new counts replace the old ones; a government gone from the
	// source loses its series.
	clk.t = clk.t.Add(31 * time.Second)
	got = gather(t, m)
	require.Equal(t, 2, calls)
	require.Equal(t, 121.0, value(t, got, "tanggap_clocks_open", gov("32")))
	_, has := find(t, got, "tanggap_clocks_open", gov("32.73"))
	require.False(t, has)

	// A failing source keeps the last counts and is retried on the next scrape.
	fail = true
	clk.t = clk.t.Add(2 * time.Minute)
	got = gather(t, m)
	require.Equal(t, 3, calls)
	require.Equal(t, 121.0, value(t, got, "tanggap_clocks_open", gov("32")))
	require.Equal(t, 1.0, value(t, got, "tanggap_clock_count_refresh_failures_total", map[string]string{}))
	gather(t, m)
	require.Equal(t, 4, calls)
}

func TestHandlerServesExpositionFormat(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{Version: "dev", Commit: "unknown", GoVersion: "go1.26.8"}, telemetry.Options{})
	m.ObserveHTTP("POST", "/api/v1/agencies", 201, time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "tanggap_") {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	body := strings.Join(lines, "\n")
	require.Contains(t, body, `tanggap_build_info{commit="unknown",goversion="go1.26.8",version="dev"} 1`)
	require.Contains(t, body, `tanggap_http_requests_total{method="POST",route="/api/v1/agencies",status="201"} 1`)
	require.Contains(t, body, `tanggap_http_request_duration_seconds_bucket{method="POST",route="/api/v1/agencies",status="201",le="0.005"} 1`)
}
