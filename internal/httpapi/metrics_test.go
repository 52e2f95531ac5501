package httpapi_test

import (
	"bytes"
	"context"
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
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/telemetry"
	"github.com/tanggap-id/tanggap/internal/web"
)

// opsRouter is the real router on an embedded database with the public
// site, deps adjusted by mod and, when catalog is set, the region catalogue
// loaded (slow under -race, so only tests that read agencies ask for it).
type opsRouter struct {
	engine *gin.Engine
	access *access.Service
}

func newOpsRouter(t *testing.T, catalog bool, mod func(d *httpapi.Deps)) *opsRouter {
	t.Helper()
	st := storetest.SQLite(t)
	log := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	if catalog {
		_, err := ag.LoadCatalog(context.Background(), access.CLI())
		require.NoError(t, err)
	}
	pages, err := web.NewEngine(web.Lang("id"), log)
	require.NoError(t, err)
	d := httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Health: health.NewChecker(st),
		MaxBodyBytes: 4096, Site: web.NewSite(pages, ag, log)}
	if mod != nil {
		mod(&d)
	}
	engine, err := httpapi.NewRouter(d)
	require.NoError(t, err)
	return &opsRouter{engine: engine, access: acc}
}

func (o *opsRouter) token(t *testing.T, name string) string {
	t.Helper()
	secret, _, err := o.access.CreateToken(context.Background(), access.CLI(), access.NewToken{Name: name, Role: access.RoleAdmin})
	require.NoError(t, err)
	return secret
}

func (o *opsRouter) send(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	o.engine.ServeHTTP(w, req)
	return w
}

func (o *opsRouter) do(method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return o.send(req)
}

func TestMetricsScrapeShowsRouteTemplates(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{Version: "v9.9.9", Commit: "0123456789ab", GoVersion: "go1.26.8"}, telemetry.Options{})
	m.SetClockSource(func(context.Context) ([]telemetry.GovernmentClocks, error) {
		return []telemetry.GovernmentClocks{{Government: "32", Open: 3, Overdue: 1}}, nil
	})
	o := newOpsRouter(t, true, func(d *httpapi.Deps) { d.Metrics = m })

	require.Equal(t, http.StatusOK, o.do("GET", "/api/v1/agencies/32", "", "").Code)
	require.Equal(t, http.StatusOK, o.do("GET", "/api/v1/agencies/33", "", "").Code)
	require.Equal(t, http.StatusNotFound, o.do("GET", "/api/v1/agencies/99.99", "", "").Code)
	require.Equal(t, http.StatusNotFound, o.do("GET", "/api/v1/no/such/thing", "", "").Code)
	require.Equal(t, http.StatusOK, o.do("GET", "/", "", "").Code)

	w := o.do("GET", "/metrics", "", "")
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	for _, want := range []string{
		`tanggap_http_requests_total{method="GET",route="/api/v1/agencies/:code",status="200"} 2`,
		`tanggap_http_requests_total{method="GET",route="/api/v1/agencies/:code",status="404"} 1`,
		`tanggap_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`tanggap_http_requests_total{method="GET",route="/",status="200"} 1`,
		`tanggap_http_request_duration_seconds_count{method="GET",route="/api/v1/agencies/:code",status="200"} 2`,
		`tanggap_build_info{commit="0123456789ab",goversion="go1.26.8",version="v9.9.9"} 1`,
		`tanggap_clocks_open{government="32"} 3`,
		`tanggap_clocks_overdue{government="32"} 1`,
		"# TYPE go_goroutines gauge",
		"# TYPE process_resident_memory_bytes gauge",
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "/api/v1/agencies/32", "raw paths never become labels")
	require.NotContains(t, body, "no/such/thing")

	// The scrape itself is counted by the next one.
	require.Contains(t, o.do("GET", "/metrics", "", "").Body.String(), `tanggap_http_requests_total{method="GET",route="/metrics",status="200"} 1`)
}

func TestMetricsToken(t *testing.T) {
	m := telemetry.New(telemetry.BuildInfo{}, telemetry.Options{})
	o := newOpsRouter(t, false, func(d *httpapi.Deps) { d.Metrics, d.MetricsToken = m, "scrape-s3cret" })
	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer scrape-s3creT", http.StatusUnauthorized},
		{"prefix of the token", "Bearer scrape-s3cre", http.StatusUnauthorized},
		{"wrong scheme", "Basic scrape-s3cret", http.StatusUnauthorized},
		{"right token", "Bearer scrape-s3cret", http.StatusOK},
		{"scheme is case-insensitive", "bearer scrape-s3cret", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/metrics", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			w := o.send(req)
			require.Equal(t, tc.want, w.Code)
			b := w.Body.String()
			if tc.want == http.StatusOK {
				require.Contains(t, b, "tanggap_build_info")
			} else {
				require.Equal(t, "unauthorized", decodeErr(t, w).Error.Code)
				require.NotContains(t, b, "scrape-s3cret")
			}
		})
	}
}

func TestNoMetricsRouteWithoutMetrics(t *testing.T) {
	o := newOpsRouter(t, false, nil)
	require.Equal(t, http.StatusNotFound, o.do("GET", "/metrics", "", "").Code)
}
