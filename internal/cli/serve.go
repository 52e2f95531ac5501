package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/web"
)

func serveCmd() *command {
	var migrate bool
	var addr string
	return &command{
		name: "serve", summary: "run the HTTP service (API, public pages, operations endpoints)",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&migrate, "migrate", false, "apply pending migrations before serving")
			fs.StringVar(&addr, "addr", "", "listen address (overrides TANGGAP_LISTEN_ADDR)")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, migrate); err != nil {
					return err
				}
				if addr != "" {
					a.cfg.ListenAddr = addr
				}
				return serve(ctx, a, nil)
			})
		},
	}
}

// serve runs the HTTP server until ctx is cancelled, then shuts down in
// order: stop accepting, finish requests, then the caller closes the DB.
// ready, if given, receives the bound address once listening.
func serve(ctx context.Context, a *app, ready func(addr string)) error {
	engine, err := web.NewEngine(web.Lang(a.cfg.DefaultLanguage), a.log)
	if err != nil {
		return err
	}
	site := web.NewSite(engine, a.agencies, a.log).WithSPBE(a.spbe)
	site.WithComplaints(a.clocks)
	site.WithOpenData(a.openData)
	site.WithMetrics(a.rollups)
	site.WithCommitments(a.commitments, time.Now)
	site.WithWorkspace(web.NewWorkspace(engine, a.workspace, a.log, web.WorkspaceOptions{TrustedProxies: a.cfg.TrustedProxies,
		BaseURL: a.cfg.PublicBaseURL, SignInPerMinute: a.cfg.SignInPerMinute}))
	engine.AddBanners(web.CalendarBanners(a.calendars, time.Now))
	if err := withPublicSite(a, site); err != nil {
		return err
	}
	router, err := httpapi.NewRouter(httpapi.Deps{
		Log: a.log, Store: a.store, Access: a.access, Agencies: a.agencies, SPBE: a.spbe, Ingest: a.ingest, MaxUploadBytes: a.cfg.MaxUploadBytes,
		Clocks: a.clocks, Policies: a.policies, Rollups: a.rollups, Commitments: a.commitments,
		Jobs: a.jobs, Workspace: a.workspace,
		Health: health.NewChecker(a.store, a.calendars.CoverageWarnings), MaxBodyBytes: a.cfg.MaxBodyBytes,
		TrustedProxies: a.cfg.TrustedProxies, Site: site,
		Metrics: a.metrics, MetricsToken: a.cfg.MetricsToken,
		WriteLimiter: httpapi.NewLimiter(a.cfg.RateWritePerMinute, nil), ExportLimiter: httpapi.NewLimiter(a.cfg.RateExportPerMinute, nil),
		OpenData: a.openData, Open311: a.open311,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large import files
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// the import worker stops after the HTTP server (deferred), before the DB closes
	stopImports := a.ingest.StartWorker(ctx)
	defer stopImports()
	// scheduled jobs stop after the HTTP server too (deferred, so first)
	defer a.stopJobs()
	if a.cfg.SchedulerEnabled {
		if err := a.jobs.Start(ctx); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.ListenAddr, err)
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "database", string(a.store.Dialect()))
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// publicPageCacheTTL bounds how much older than the roll-ups a public page
// may be when served from the server's micro-cache (browsers may keep it
// 60 s on top, per its Cache-Control).
const publicPageCacheTTL = 10 * time.Second

// withPublicSite adds the methodology page (read from the rule sets in
// force) and the short server-side page cache of the public site.
func withPublicSite(a *app, site *web.Site) error {
	fw, err := a.spbe.Framework("")
	if err != nil {
		return err
	}
	site.WithMethodology(web.Methodology{Calendar: a.calendars, Policies: a.policies, Framework: fw.Framework, MinN: a.cfg.MinN})
	site.WithPageCache(publicPageCacheTTL)
	return nil
}
