// Package config holds Tanggap's typed configuration. Values come from
// TANGGAP_* environment variables, optionally preceded by a KEY=value file
// named by TANGGAP_CONFIG_FILE; the real environment wins over the file.
// Nothing here is global: Load returns a *Config that callers pass down.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Prefix is the prefix of every environment variable Tanggap reads.
const Prefix = "TANGGAP_"

// Config is the effective configuration. Each field's `env` tag is its
// variable name without the prefix; `desc` feeds `tanggap config` and the
// README table; `secret` fields are redacted when printed.
type Config struct {
	DatabaseURL         string        `env:"DATABASE_URL" secret:"true" desc:"PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=disable). Empty: embedded SQLite file in the data directory."`
	DataDir             string        `env:"DATA_DIR" envDefault:"data" desc:"Directory for the embedded database, import uploads and other local state."`
	ListenAddr          string        `env:"LISTEN_ADDR" envDefault:":8080" desc:"host:port the HTTP server listens on."`
	PublicBaseURL       string        `env:"PUBLIC_BASE_URL" desc:"Absolute URL the public site is reached at (links in feeds, exports and e-mails). Empty: derived from each request."`
	DefaultLanguage     string        `env:"DEFAULT_LANGUAGE" envDefault:"id" desc:"Language of public pages when the visitor has not chosen: id or en."`
	LogLevel            string        `env:"LOG_LEVEL" envDefault:"info" desc:"debug, info, warn or error."`
	LogFormat           string        `env:"LOG_FORMAT" envDefault:"json" desc:"json or text."`
	MaxBodyBytes        int64         `env:"MAX_BODY_BYTES" envDefault:"10485760" desc:"Largest accepted JSON request body in bytes (uploads have their own limit)."`
	MaxUploadBytes      int64         `env:"MAX_UPLOAD_BYTES" envDefault:"1073741824" desc:"Largest accepted import upload in bytes."`
	ShutdownTimeout     time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s" desc:"How long a graceful shutdown waits for requests and jobs to finish."`
	DBMaxOpenConns      int           `env:"DB_MAX_OPEN_CONNS" envDefault:"16" desc:"Connection pool size for PostgreSQL (SQLite uses its own small pool)."`
	TrustedProxies      []string      `env:"TRUSTED_PROXIES" envSeparator:"," desc:"Comma-separated proxy CIDRs whose X-Forwarded-For is trusted. Empty: none."`
	MetricsToken        string        `env:"METRICS_TOKEN" secret:"true" desc:"When set, /metrics requires Authorization: Bearer <this token>. Empty: /metrics is open (keep it off the public network)."`
	RateWritePerMinute  int           `env:"RATE_WRITE_PER_MINUTE" envDefault:"300" desc:"API writes (POST/PUT/PATCH/DELETE) allowed per client per minute, as a token bucket; a client is its API token, else its IP. 0: no limit."`
	RateExportPerMinute int           `env:"RATE_EXPORT_PER_MINUTE" envDefault:"30" desc:"Open-data export downloads allowed per client per minute. 0: no limit."`
	MinN                int           `env:"MIN_N" envDefault:"10" desc:"Smallest sample size for which a published rate or median is shown; below it the value is null with \"insufficient data\"."`
	SchedulerEnabled    bool          `env:"SCHEDULER_ENABLED" envDefault:"true" desc:"Run the scheduled jobs (SLA sweep, retention, ...) in this serve process. false: an API-only replica; jobs still run by hand."`
	JobSchedules        string        `env:"JOB_SCHEDULES" desc:"Per-job schedule overrides, name=cron spec pairs separated by ';' and read in Asia/Jakarta (e.g. sla-sweep=*/5 * * * *;retention=off). Empty: built-in schedules."`
	RetentionAge        Age           `env:"RETENTION_AGE" envDefault:"730d" desc:"How long after a complaint closes its reporter's name and contact are kept before the retention job removes them (730d, 2y)."`
	ReplicaID           string        `env:"REPLICA_ID" desc:"This process's name in job run records. Empty: hostname/pid."`
	// Agency workspace (/kerja): sessions, sign-in lock and digest e-mail.
	SessionIdleTimeout  time.Duration `env:"SESSION_IDLE_TIMEOUT" envDefault:"30m" desc:"A workspace session ends after this long without a request."`
	SessionMaxAge       time.Duration `env:"SESSION_MAX_AGE" envDefault:"12h" desc:"A workspace session ends this long after sign-in, however active."`
	SignInLockThreshold int           `env:"SIGNIN_LOCK_THRESHOLD" envDefault:"5" desc:"Wrong passwords in a row that temporarily lock a workspace account."`
	SignInLockDuration  time.Duration `env:"SIGNIN_LOCK_DURATION" envDefault:"15m" desc:"How long a workspace account stays locked after too many wrong passwords."`
	SignInPerMinute     int           `env:"SIGNIN_PER_MINUTE" envDefault:"20" desc:"Sign-in attempts allowed per client IP per minute (on top of the account lock)."`
	SMTPHost            string        `env:"SMTP_HOST" desc:"SMTP server for daily digest e-mails. Empty: e-mail digests are not sent (webhooks still are)."`
	SMTPPort            int           `env:"SMTP_PORT" envDefault:"587" desc:"SMTP server port (587 for STARTTLS, 465 for implicit TLS)."`
	SMTPTLS             string        `env:"SMTP_TLS" envDefault:"starttls" desc:"SMTP transport security: starttls (required upgrade), tls (implicit, port 465) or none (a relay on localhost only)."`
	SMTPUsername        string        `env:"SMTP_USERNAME" desc:"SMTP user name for PLAIN authentication. Empty: no authentication."`
	SMTPPassword        string        `env:"SMTP_PASSWORD" secret:"true" desc:"SMTP password."`
	SMTPFrom            string        `env:"SMTP_FROM" desc:"From address of digest e-mails, e.g. Tanggap <tanggap@example.go.id>."`
}

// Load reads the configuration from environ (os.Environ() form: "K=V"), after
// the KEY=value file named by TANGGAP_CONFIG_FILE, if any.
func Load(environ []string) (*Config, error) {
	vars := make(map[string]string)
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	if path := vars[Prefix+"CONFIG_FILE"]; path != "" {
		fileVars, err := godotenv.Read(path)
		if err != nil {
			return nil, fmt.Errorf("config: %sCONFIG_FILE=%s: %w", Prefix, path, err)
		}
		for k, v := range fileVars {
			if !strings.HasPrefix(k, Prefix) {
				return nil, fmt.Errorf("config: %s: %s is not a Tanggap variable (names start with %s)", path, k, Prefix)
			}
			if _, set := vars[k]; !set {
				vars[k] = v
			}
		}
	}
	if err := checkUnknown(vars); err != nil {
		return nil, err
	}
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars, Prefix: Prefix}); err != nil {
		return nil, namedParseError(err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// namedParseError rewrites env's field-named errors to name the variable a
// user actually set.
func namedParseError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	t := reflect.TypeFor[Config]()
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				errs = append(errs, fmt.Errorf("config: %s%s: cannot parse as %s: %w", Prefix, f.Tag.Get("env"), pe.Type, pe.Err))
				continue
			}
		}
		errs = append(errs, fmt.Errorf("config: %w", e))
	}
	return errors.Join(errs...)
}

// checkUnknown rejects misspelt TANGGAP_* variables, which would otherwise be
// silently ignored.
func checkUnknown(vars map[string]string) error {
	known := map[string]bool{Prefix + "CONFIG_FILE": true}
	for _, o := range Options() {
		known[o.Name] = true
	}
	var unknown []string
	for k := range vars {
		if strings.HasPrefix(k, Prefix) && !known[k] && !strings.HasPrefix(k, Prefix+"TEST_") {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("config: unknown variable %s (see `tanggap config` for the valid ones)", strings.Join(unknown, ", "))
	}
	return nil
}

// Validate checks values that env parsing cannot. Errors name the variable
// and what would be valid.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s%s: %s", Prefix, name, fmt.Sprintf(format, args...)))
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "must be a postgres:// or postgresql:// URL, or empty for the embedded database")
		}
	}
	if c.DataDir == "" {
		bad("DATA_DIR", "must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		bad("LISTEN_ADDR", "%q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.ListenAddr)
	}
	if c.PublicBaseURL != "" {
		u, err := url.Parse(c.PublicBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("PUBLIC_BASE_URL", "%q is not an absolute http(s) URL", c.PublicBaseURL)
		}
	}
	if c.DefaultLanguage != "id" && c.DefaultLanguage != "en" {
		bad("DEFAULT_LANGUAGE", "%q: valid values are id, en", c.DefaultLanguage)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("LOG_LEVEL", "%q: valid values are debug, info, warn, error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "%q: valid values are json, text", c.LogFormat)
	}
	if c.MaxBodyBytes < 1024 {
		bad("MAX_BODY_BYTES", "%d is too small (at least 1024)", c.MaxBodyBytes)
	}
	if c.MaxUploadBytes < 1024 {
		bad("MAX_UPLOAD_BYTES", "%d is too small (at least 1024)", c.MaxUploadBytes)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be a positive duration such as 15s")
	}
	if c.DBMaxOpenConns < 1 {
		bad("DB_MAX_OPEN_CONNS", "must be at least 1")
	}
	if c.RateWritePerMinute < 0 {
		bad("RATE_WRITE_PER_MINUTE", "must be 0 (no limit) or more")
	}
	if c.MinN < 1 {
		bad("MIN_N", "must be at least 1")
	}
	if c.RateExportPerMinute < 0 {
		bad("RATE_EXPORT_PER_MINUTE", "must be 0 (no limit) or more")
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("TRUSTED_PROXIES", "%q is neither an IP nor a CIDR", p)
		}
	}
	for _, part := range strings.Split(c.JobSchedules, ";") {
		if name, spec, ok := strings.Cut(part, "="); strings.TrimSpace(part) != "" && (!ok || strings.TrimSpace(name) == "" || strings.TrimSpace(spec) == "") {
			bad("JOB_SCHEDULES", "%q is not name=cron spec (e.g. sla-sweep=*/10 * * * *)", part)
		}
	}
	if c.SessionIdleTimeout <= 0 || c.SessionMaxAge <= 0 || c.SessionIdleTimeout > c.SessionMaxAge {
		bad("SESSION_IDLE_TIMEOUT", "must be positive and no longer than TANGGAP_SESSION_MAX_AGE")
	}
	if c.SignInLockThreshold < 1 {
		bad("SIGNIN_LOCK_THRESHOLD", "must be at least 1")
	}
	if c.SignInLockDuration <= 0 {
		bad("SIGNIN_LOCK_DURATION", "must be a positive duration such as 15m")
	}
	if c.SMTPTLS != "starttls" && c.SMTPTLS != "tls" && c.SMTPTLS != "none" {
		bad("SMTP_TLS", "%q: valid values are starttls, tls, none", c.SMTPTLS)
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		bad("SMTP_FROM", "is required when TANGGAP_SMTP_HOST is set")
	}
	return errors.Join(errs...)
}

// SlogLevel is the parsed log level.
func (c *Config) SlogLevel() slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return lvl
}

// Embedded reports whether the embedded SQLite database is used.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// SQLitePath is the embedded database file.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "tanggap.db") }

// Option describes one configuration variable.
type Option struct {
	Name        string
	Default     string
	Description string
	Secret      bool
	field       int
}

// Options lists every variable in declaration order.
func Options() []Option {
	t := reflect.TypeFor[Config]()
	out := make([]Option, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		out = append(out, Option{
			Name:        Prefix + f.Tag.Get("env"),
			Default:     f.Tag.Get("envDefault"),
			Description: f.Tag.Get("desc"),
			Secret:      f.Tag.Get("secret") == "true",
			field:       i,
		})
	}
	return out
}

// Redacted returns each variable with its effective value; secrets are
// masked (a database URL keeps its host but loses its password).
func (c *Config) Redacted() [][2]string {
	v := reflect.ValueOf(*c)
	var out [][2]string
	for _, o := range Options() {
		val := formatValue(v.Field(o.field))
		if o.Secret && val != "" {
			val = redactURL(val)
		}
		out = append(out, [2]string{o.Name, val})
	}
	return out
}

func formatValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case []string:
		return strings.Join(x, ",")
	case time.Duration:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "[redacted]"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Environ is a convenience for callers that pass the real environment.
func Environ() []string { return os.Environ() }
