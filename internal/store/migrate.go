package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tanggap-id/tanggap/migrations"
)

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// newProvider builds a goose provider for the dialect's embedded folder. On
// PostgreSQL a session advisory lock stops replicas migrating at once.
func newProvider(db *sql.DB, dialect Dialect, log *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, string(dialect))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	gd := goose.DialectSQLite3
	if dialect == Postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(gd, db, sub, opts...)
}

// provider returns a goose provider and a closer for any pool it opened.
// On SQLite goose gets a pool without our fixed-width time format, because
// its own version table stores SQLite's native datetime text.
func (s *Store) provider() (*goose.Provider, func(), error) {
	if s.dialect == SQLite {
		db, err := driver.Open(migrationDSN(s.sqlitePath))
		if err != nil {
			return nil, nil, err
		}
		p, err := newProvider(db, s.dialect, s.log)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return p, func() { db.Close() }, nil
	}
	db, err := s.db.DB()
	if err != nil {
		return nil, nil, err
	}
	p, err := newProvider(db, s.dialect, s.log)
	return p, func() {}, err
}

func migrationDSN(path string) string {
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// MigratePostgres applies every pending migration to a raw PostgreSQL
// connection; the test harness uses it to prepare template databases.
func MigratePostgres(ctx context.Context, db *sql.DB) error {
	p, err := newProvider(db, Postgres, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// MigrateUp applies pending migrations and returns how many ran.
func (s *Store) MigrateUp(ctx context.Context) (int, error) {
	p, done, err := s.provider()
	if err != nil {
		return 0, wrap("migrate up", err)
	}
	defer done()
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), wrap("migrate up", err)
	}
	return len(res), nil
}

// MigrateDown rolls back the newest applied migration, or all of them.
func (s *Store) MigrateDown(ctx context.Context, all bool) (int, error) {
	p, done, err := s.provider()
	if err != nil {
		return 0, wrap("migrate down", err)
	}
	defer done()
	if all {
		res, err := p.DownTo(ctx, 0)
		return len(res), wrap("migrate down", err)
	}
	if _, err := p.Down(ctx); err != nil {
		return 0, wrap("migrate down", err)
	}
	return 1, nil
}

// MigrationStatuses lists every known migration and whether it is applied.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, done, err := s.provider()
	if err != nil {
		return nil, wrap("migration status", err)
	}
	defer done()
	st, err := p.Status(ctx)
	if err != nil {
		return nil, wrap("migration status", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{Version: m.Source.Version, Name: m.Source.Path, Applied: m.State == goose.StateApplied})
	}
	return out, nil
}

// SchemaVersions returns the database's schema version and the newest the
// binary knows.
func (s *Store) SchemaVersions(ctx context.Context) (current, latest int64, err error) {
	p, done, err := s.provider()
	if err != nil {
		return 0, 0, wrap("schema version", err)
	}
	defer done()
	current, latest, err = p.GetVersions(ctx)
	return current, latest, wrap("schema version", err)
}

// LatestSchemaVersion is the newest migration embedded in the binary.
func LatestSchemaVersion() int64 {
	var latest int64
	for _, d := range []Dialect{Postgres} {
		entries, _ := fs.ReadDir(migrations.FS, string(d))
		for _, e := range entries {
			var v int64
			if _, err := fmt.Sscanf(e.Name(), "%d_", &v); err == nil && v > latest {
				latest = v
			}
		}
	}
	return latest
}

// SchemaColumns lists every application table and its column names, sorted;
// the migration parity test compares dialects with it.
func (s *Store) SchemaColumns(ctx context.Context) (map[string][]string, error) {
	var rows []struct {
		TableName  string
		ColumnName string
	}
	var q string
	if s.dialect == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns
		     WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		     ORDER BY table_name, column_name`
	} else {
		q = `SELECT m.name AS table_name, p.name AS column_name
		     FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		     ORDER BY m.name, p.name`
	}
	if err := s.conn(ctx).Raw(q).Scan(&rows).Error; err != nil {
		return nil, wrap("schema columns", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.TableName] = append(out[r.TableName], r.ColumnName)
	}
	return out, nil
}
