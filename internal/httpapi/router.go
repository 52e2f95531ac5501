// Package httpapi is Tanggap's HTTP surface: the gin engine, middleware, the
// /api/v1 JSON API and operations endpoints. Handlers parse, call one
// service and render; errors map to statuses in one place (errors.go).
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi/openapi"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/open311"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/telemetry"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// Deps are what the router needs; cli builds them.
type Deps struct {
	Log            *slog.Logger
	Store          *store.Store
	Access         *access.Service
	Agencies       *agencies.Service
	Clocks         *clocks.Service
	Policies       *clocks.Policies
	SPBE           *spbeindex.Service
	Commitments    *commitments.Service
	Rollups        *metrics.Service   // published performance figures
	Jobs           *jobs.Runner       // scheduled jobs: status and manual runs
	Workspace      *workspace.Service // workspace accounts and the reporter access log
	Ingest         *ingest.Service
	MaxUploadBytes int64
	Health         *health.Checker
	MaxBodyBytes   int64
	TrustedProxies []string
	// Metrics, when set, instruments every request and serves /metrics,
	// behind MetricsToken when that is set.
	Metrics      *telemetry.Metrics
	MetricsToken string
	// WriteLimiter limits /api/v1 writes per client; ExportLimiter is for
	// export routes to wrap with RateLimit. nil: no limit.
	WriteLimiter  *Limiter
	ExportLimiter *Limiter
	// OpenData serves /open-data downloads; Open311 serves /open311/v2.
	OpenData *opendata.Service
	Open311  *open311.Service
	// Site registers the public pages (package web) on the engine.
	Site interface {
		Register(r *gin.Engine)
		NotFound(c *gin.Context)
	}
}

// NewRouter builds the engine. gin runs in release mode; tests use the same.
func NewRouter(d Deps) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(SecurityHeaders(d.TrustedProxies), RequestID(), AccessLog(d.Log), Instrument(d.Metrics), Recover(d.Log))
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) {
		if d.Site != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
			d.Site.NotFound(c)
			return
		}
		Abort(c, d.Log, fmt.Errorf("no route %s %s: %w", c.Request.Method, c.Request.URL.Path, domain.ErrNotFound))
	})
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method not allowed"}})
	})

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", func(c *gin.Context) {
		rep := d.Health.Ready(c.Request.Context())
		status := http.StatusOK
		if !rep.Ready {
			status = http.StatusServiceUnavailable
		}
		c.JSON(status, rep)
	})

	if d.Metrics != nil {
		r.GET("/metrics", MetricsEndpoint(d.Metrics, d.MetricsToken, d.Log))
	}

	api := r.Group("/api/v1", LimitBody(d.MaxBodyBytes), Authenticate(d.Access, d.Log), RateLimitWrites(d.WriteLimiter))
	// The API's own OpenAPI document and reference page (public reads).
	if err := openapi.Register(api); err != nil {
		return nil, err
	}
	(&AgencyAPI{svc: d.Agencies, log: d.Log}).Register(api)
	(&AdminAPI{access: d.Access, store: d.Store, log: d.Log}).Register(api)
	if d.Ingest != nil {
		(&ComplaintAPI{svc: d.Ingest, log: d.Log, clocks: d.Clocks}).Register(api)
		uploads := r.Group("/api/v1", LimitBody(d.MaxUploadBytes), Authenticate(d.Access, d.Log), RateLimitWrites(d.WriteLimiter))
		(&ImportAPI{svc: d.Ingest, log: d.Log}).Register(api, uploads)
	}
	if d.Clocks != nil {
		(&HolidayAPI{svc: d.Clocks, log: d.Log}).Register(api)
		(&ClockAPI{svc: d.Clocks, log: d.Log}).Register(api)
	}
	if d.Policies != nil {
		(&PolicyAPI{svc: d.Policies, log: d.Log}).Register(api)
	}
	if d.SPBE != nil {
		(&SPBEAPI{svc: d.SPBE, log: d.Log}).Register(api)
	}
	if d.Commitments != nil {
		(&CommitmentAPI{svc: d.Commitments, log: d.Log}).Register(api)
	}
	if d.Rollups != nil {
		(&MetricsAPI{svc: d.Rollups, log: d.Log}).Register(api)
	}
	if d.Workspace != nil {
		(&UserAPI{svc: d.Workspace, log: d.Log}).Register(api)
	}
	if d.Jobs != nil {
		(&JobAPI{svc: d.Jobs, log: d.Log}).Register(api)
	}

	if d.OpenData != nil {
		NewOpenDataAPI(d.OpenData, d.Log, d.ExportLimiter).Register(r)
	}
	if d.Open311 != nil {
		NewOpen311API(d.Open311, d.Log, d.ExportLimiter).Register(r)
	}

	if d.Site != nil {
		d.Site.Register(r)
	}
	return r, nil
}
