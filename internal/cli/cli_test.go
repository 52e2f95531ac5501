package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, environ []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"tanggap"}, args...), environ, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "missing subcommand"},
		{"unknown command", []string{"frobnicate"}, `unknown subcommand "frobnicate"`},
		{"unknown flag", []string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{"missing subcommand", []string{"migrate"}, "missing subcommand"},
		{"missing argument", []string{"agencies", "import"}, "missing argument FILE"},
		{"extra argument", []string{"version", "now"}, `unexpected argument "now"`},
		{"token without role", []string{"token", "create", "--name", "x"}, "--role and --name are required"},
		{"bad expiry", []string{"token", "create", "--name", "x", "--role", "admin", "--expires", "soon"}, "--expires"},
		{"bad token id", []string{"token", "revoke", "abc"}, "not a token id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, nil, c.args...)
			require.Equal(t, 2, r.code, r.stderr)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			require.Contains(t, lines[len(lines)-1], c.want)
			require.True(t, strings.HasPrefix(lines[len(lines)-1], "tanggap: "))
		})
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"migrate", "up", "--help"},
		{"token", "create", "--help"}, {"catalog", "load", "--help"}, {"agencies", "import", "--help"},
		{"config", "--help"}, {"demo", "--help"}, {"version", "--help"}, {"token", "list", "-h"}, {"token", "revoke", "--help"}} {
		r := run(t, nil, args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		require.Contains(t, r.stdout, "Usage: tanggap", args)
	}
	r := run(t, nil, "token", "create", "--help")
	require.Contains(t, r.stdout, "-role")
}

func TestConfigCommand(t *testing.T) {
	r := run(t, []string{"TANGGAP_DATABASE_URL=postgres://app:hunter2@db/tanggap"}, "config")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "TANGGAP_DATABASE_URL")
	require.NotContains(t, r.stdout, "hunter2")
	r = run(t, []string{"TANGGAP_LOG_LEVEL=chatty"}, "config")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "TANGGAP_LOG_LEVEL")
}

func TestVersion(t *testing.T) {
	r := run(t, nil, "version")
	require.Equal(t, 0, r.code)
	require.Regexp(t, `(?m)^schema  [1-9][0-9]*$`, r.stdout)
	require.Contains(t, r.stdout, "go1.")
}

// TestLifecycle drives the commands an operator uses, in order, against a
// real database of each kind.
func TestLifecycle(t *testing.T) {
	backends := map[string]func(t *testing.T) []string{
		"sqlite": func(t *testing.T) []string {
			return []string{"TANGGAP_DATA_DIR=" + t.TempDir(), "TANGGAP_LOG_LEVEL=warn"}
		},
		"postgres": func(t *testing.T) []string {
			return []string{"TANGGAP_DATABASE_URL=" + storetest.PostgresURLForTest(t, true), "TANGGAP_LOG_LEVEL=warn"}
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			env := backends[name](t)
			r := run(t, env, "catalog", "load")
			require.Equal(t, 1, r.code, "a fresh database is not migrated")
			require.Contains(t, r.stderr, "tanggap migrate up")

			r = run(t, env, "migrate", "up")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "schema version")
			r = run(t, env, "migrate", "status")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "applied")
			require.NotContains(t, r.stdout, "pending")

			r = run(t, env, "catalog", "load")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "553 created")
			r = run(t, env, "catalog", "load")
			require.Contains(t, r.stdout, "0 created, 0 updated, 553 unchanged")

			file := filepath.Join(t.TempDir(), "units.csv")
			require.NoError(t, os.WriteFile(file, []byte("code,parent_code,kind,name\n32.73.X,32.73,opd,Unit X\n32.73.Y,32.99,opd,Unit Y\n"), 0o600))
			r = run(t, env, "agencies", "import", file)
			require.Equal(t, 2, r.code, "some rows rejected")
			require.Contains(t, r.stdout, "1 created")
			require.Contains(t, r.stdout, "line 3")
			require.Contains(t, r.stdout, "parent_code")

			r = run(t, env, "token", "create", "--role", "agency", "--agency", "32.73", "--name", "bandung", "--expires", "90d")
			require.Equal(t, 0, r.code, r.stderr)
			secret := strings.TrimSpace(r.stdout)
			require.True(t, strings.HasPrefix(secret, "tgp_"))
			r = run(t, env, "token", "list")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "bandung")
			require.Contains(t, r.stdout, "32.73")
			require.NotContains(t, r.stdout, secret)
			r = run(t, env, "token", "revoke", "1")
			require.Equal(t, 0, r.code, r.stderr)
			r = run(t, env, "token", "list")
			require.Contains(t, r.stdout, "revoked")
			require.Equal(t, 1, run(t, env, "token", "revoke", "999").code)

			r = run(t, env, "migrate", "down")
			require.Equal(t, 0, r.code, r.stderr)
			r = run(t, env, "serve")
			require.Equal(t, 1, r.code, "serve refuses an old schema")
			require.Contains(t, r.stderr, "older than")
		})
	}
}
