// Package storetest gives tests a migrated, private database on each
// back-end: an SQLite file always, and a PostgreSQL database (cloned from a
// migrated template by pgtestdb) whenever a server is reachable. Under
// CI=true an unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/migrations"
)

// DefaultPostgresURL is the local server tests use when
// TANGGAP_TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL is the admin URL of the test server.
func PostgresURL() string {
	if u := os.Getenv("TANGGAP_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// InCI reports whether missing back-ends must fail rather than skip.
func InCI() bool { return os.Getenv("CI") == "true" }

var (
	pgOnce sync.Once
	pgErr  error
)

func postgresReachable() error {
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	return pgErr
}

// RequirePostgres skips (or under CI fails) when no server answers.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if err := postgresReachable(); err != nil {
		if InCI() {
			t.Fatalf("PostgreSQL at %s is required under CI=true: %v", PostgresURL(), err)
		}
		t.Skipf("PostgreSQL not reachable at %s (%v); set TANGGAP_TEST_DATABASE_URL to run these tests", PostgresURL(), err)
	}
}

func pgConfig(t testing.TB) pgtestdb.Config {
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatalf("TANGGAP_TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	db := u.Path
	if len(db) > 0 && db[0] == '/' {
		db = db[1:]
	}
	return pgtestdb.Config{DriverName: "pgx", Host: u.Hostname(), Port: port, User: u.User.Username(), Password: pw,
		Database: db, Options: "sslmode=disable", ForceTerminateConnections: true}
}

// gooseMigrator prepares pgtestdb's template database with our migrations.
type gooseMigrator struct{ empty bool }

func (m gooseMigrator) Hash() (string, error) {
	if m.empty {
		return "empty", nil
	}
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, "postgres", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

func (m gooseMigrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	if m.empty {
		return nil
	}
	return store.MigratePostgres(ctx, db)
}

func open(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// PostgresURLForTest returns the URL of a private test database, migrated
// unless empty is set.
func PostgresURLForTest(t testing.TB, empty bool) string {
	t.Helper()
	RequirePostgres(t)
	return pgtestdb.Custom(t, pgConfig(t), gooseMigrator{empty: empty}).URL()
}

// Postgres returns a store on a private, migrated PostgreSQL database.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Options{DatabaseURL: PostgresURLForTest(t, false), MaxOpenConns: 8})
}

// SQLitePath returns a fresh database file path in the test's temp dir.
func SQLitePath(t testing.TB) string { return filepath.Join(t.TempDir(), "tanggap.db") }

// SQLite returns a store on a private, migrated SQLite file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	st := open(t, store.Options{SQLitePath: SQLitePath(t)})
	if _, err := st.MigrateUp(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return st
}

// Backend opens a migrated store of one dialect.
type Backend struct {
	Name string
	Open func(t testing.TB) *store.Store
}

// Backends lists the dialects every storage test runs on.
func Backends() []Backend {
	return []Backend{{"sqlite", SQLite}, {"postgres", Postgres}}
}

// Each runs fn as a subtest per back-end, each with its own database.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, b.Open(t))
		})
	}
}
