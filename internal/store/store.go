// Package store keeps Tanggap's data in PostgreSQL or in an embedded SQLite
// file through gorm. gorm never leaves this package: methods are named for
// what they do, take a context first and return domain types.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Dialect names a supported database.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store is the handle every repository method hangs off. A Store made by
// InTx runs its methods inside that transaction.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	// sqlitePath is set for the embedded database; migrations open their own
	// pool on it (see migrationDB).
	sqlitePath string
}

// Options configures Open.
type Options struct {
	// DatabaseURL selects PostgreSQL; empty selects SQLite at SQLitePath.
	DatabaseURL  string
	SQLitePath   string
	MaxOpenConns int
	Logger       *slog.Logger
}

// sqliteTimeLayout is fixed-width so that times stored as text (always UTC)
// sort and compare in time order; microseconds match PostgreSQL's precision.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Open connects to the configured database. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	gcfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.NewSlogLogger(log, logger.Config{SlowThreshold: 2 * time.Second, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true}),
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	if opts.DatabaseURL != "" {
		dialect = Postgres
		dialector = postgres.New(postgres.Config{DSN: opts.DatabaseURL})
	} else {
		dialect = SQLite
		if opts.SQLitePath == "" {
			return nil, fmt.Errorf("store: open: no database URL and no SQLite path")
		}
		if err := os.MkdirAll(filepath.Dir(opts.SQLitePath), 0o750); err != nil {
			return nil, fmt.Errorf("store: open: data directory: %w", err)
		}
		dialector = gormlite.Open(SQLiteDSN(opts.SQLitePath))
	}
	db, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, classify(err))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	if dialect == Postgres {
		n := opts.MaxOpenConns
		if n <= 0 {
			n = 16
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// One writer at a time is SQLite's model; a few readers share WAL.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	}
	s := &Store{db: db, dialect: dialect, log: log, sqlitePath: opts.SQLitePath}
	return s, nil
}

// SQLiteDSN is the embedded database's connection string: WAL, immediate
// transactions (so concurrent writers wait rather than fail on lock upgrade),
// a busy timeout, foreign keys and an ordered time encoding.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", sqliteTimeLayout)
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// SQLDB exposes the pool for migrations and health checks.
func (s *Store) SQLDB() (*sql.DB, error) { return s.db.DB() }

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", classify(err))
	}
	return nil
}

// InTx runs fn with a Store bound to one transaction; fn's error rolls back.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		return fn(&Store{db: gtx, dialect: s.dialect, log: s.log, sqlitePath: s.sqlitePath})
	})
}

func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// wrap names the failed operation and maps driver errors onto the domain's
// sentinels so callers never see gorm or driver types.
func wrap(verb string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", verb, classify(err))
}

type classified struct {
	sentinel error
	cause    error
}

func (c classified) Error() string { return c.sentinel.Error() + ": " + c.cause.Error() }
func (c classified) Unwrap() []error {
	return []error{c.sentinel, c.cause}
}

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrInvalid),
		errors.Is(err, domain.ErrUnavailable), errors.Is(err, domain.ErrForbidden):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return classified{domain.ErrNotFound, err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return classified{domain.ErrConflict, err}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return classified{domain.ErrConflict, err}
	case isUnavailable(err):
		return classified{domain.ErrUnavailable, err}
	}
	return err
}

// isUnavailable recognises a database that is down or restarting, so the API
// can answer 503 with a retryable error instead of 500.
func isUnavailable(err error) bool {
	var oe *net.OpError
	var pgErr *pgconn.PgError
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce), errors.As(err, &oe), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, sql.ErrConnDone), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08 connection exceptions and 57P0x shutdown/crash states.
		c := pgErr.Code
		return len(c) == 5 && (c[:2] == "08" || c == "57P01" || c == "57P02" || c == "57P03")
	}
	return pgconn.SafeToRetry(err)
}
