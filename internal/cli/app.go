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
	"github.com/tanggap-id/tanggap/internal/store"
)

// app is the set of services one process uses, built from the config.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	audit    *audit.Recorder
	access   *access.Service
	agencies *agencies.Service
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
	return &app{cfg: cfg, log: log, store: st, audit: rec, access: acc, agencies: agencies.NewService(st, acc, rec)}, nil
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
