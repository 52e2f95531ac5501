package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tanggap-id/tanggap/config"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/open311"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/retention"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/telemetry"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// app is the set of services one process uses, built from the config.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	audit    *audit.Recorder
	access   *access.Service
	agencies *agencies.Service
	spbe     *spbeindex.Service
	openData *opendata.Service // /open-data downloads
	open311  *open311.Service  // /open311/v2 (GeoReport v2 read side)
	// commitments measures signed commitments (complaint-metrics and SPBE index sources)
	commitments *commitments.Service
	calendars   *clocks.Calendars
	policies    *clocks.Policies
	clocks      *clocks.Service
	ingest      *ingest.Service
	rollups     *metrics.Service // published figures (roll-ups)
	metrics     *telemetry.Metrics
	retention   *retention.Service
	jobs        *jobs.Runner       // scheduled jobs (cli/jobs.go registers them)
	workspace   *workspace.Service // agency workspace: users, sessions, queue, digests
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func loadConfig(e *env) (*config.Config, error) {
	cfg, err := config.Load(e.environ)
	if err != nil {
		return nil, exitError{code: 2, err: err}
	}
	return cfg, nil
}

// openApp connects to the database and builds the services. It does not
// migrate: callers decide.
func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), MaxOpenConns: cfg.DBMaxOpenConns, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := st.Ping(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	a := &app{cfg: cfg, log: log, store: st, audit: rec, access: acc, agencies: agencies.NewService(st, acc, rec)}
	fws, err := spbeindex.EmbeddedFrameworks()
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	a.spbe = spbeindex.NewService(st, acc, rec, a.agencies, fws, time.Now)
	a.openData = opendata.NewService(st, time.Now, open311.DefaultJurisdiction)
	a.open311 = open311.NewService(st, time.Now, open311.DefaultJurisdiction, open311.HostOf(cfg.PublicBaseURL))
	a.commitments = commitments.NewService(st, acc, rec, a.agencies, commitments.Options{Log: log})
	a.calendars = clocks.NewCalendars(st, log, time.Now)
	a.policies = clocks.NewPolicies(st, acc, rec, time.Now)
	a.clocks = clocks.NewService(st, a.calendars, a.policies, rec, log, time.Now)
	a.rollups = metrics.NewService(st, log, time.Now, cfg.MinN)
	a.commitments.WithSources(commitments.NewMetricsRates(a.rollups), commitments.SPBEIndex{History: a.spbe})
	a.clocks.OnClocksReplaced = a.rollups.MarkComplaints
	a.ingest = ingest.NewService(st, acc, rec, ingest.Options{DataDir: cfg.DataDir, Log: log, AfterCommit: func(ctx context.Context) {
		a.clocks.AfterIngest(ctx)
		a.rollups.AfterChange(ctx)
	}})
	v, commit, gov := BuildInfo()
	a.metrics = telemetry.New(telemetry.BuildInfo{Version: v, Commit: commit, GoVersion: gov}, telemetry.Options{Log: log})
	a.metrics.SetCalendarSource(func(ctx context.Context) (int, error) {
		cal, _, err := a.calendars.Current(ctx)
		if err != nil {
			return 0, err
		}
		_, last := cal.CoveredYears()
		return last - time.Now().In(time.FixedZone("WIB", 7*3600)).Year(), nil // national dates are Jakarta's
	})
	a.workspace = newWorkspace(a)
	if err := a.buildJobs(); err != nil {
		_ = st.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) Close() error { return a.store.Close() }

// requireSchema refuses to work on a database whose schema is not the
// binary's, unless migrate is set, in which case it migrates.
func (a *app) requireSchema(ctx context.Context, migrate bool) error {
	cur, latest, err := a.store.SchemaVersions(ctx)
	if err != nil {
		return err
	}
	switch {
	case cur > latest:
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade tanggap", cur, latest)
	case cur < latest && !migrate:
		return fmt.Errorf("database schema version %d is older than this binary's %d: run `tanggap migrate up` (or serve --migrate)", cur, latest)
	case cur < latest:
		n, err := a.store.MigrateUp(ctx)
		if err != nil {
			return err
		}
		a.log.Info("migrated", "applied", n, "from", cur, "to", latest)
	}
	return nil
}

// withApp loads config, opens the app, runs fn and closes.
func withApp(ctx context.Context, e *env, fn func(a *app) error) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}
