package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUsersCommand creates, lists, resets and disables an account through
// the command line.
func TestUsersCommand(t *testing.T) {
	env := []string{"TANGGAP_DATA_DIR=" + t.TempDir(), "TANGGAP_LOG_LEVEL=warn"}
	for _, args := range [][]string{{"migrate", "up"}, {"catalog", "load"}} {
		r := run(t, env, args...)
		require.Equal(t, 0, r.code, r.stderr)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"create officer", []string{"users", "create", "--role", "officer", "--agency", "32.73", "--email", "siti@bandung.go.id", "siti"}, 0, "", "shown only now"},
		{"missing role", []string{"users", "create", "budi"}, 2, "", "--role is required"},
		{"invalid", []string{"users", "create", "--role", "officer", "budi"}, 1, "", "bound to an agency"},
		{"duplicate", []string{"users", "create", "--role", "officer", "--agency", "32.73", "siti"}, 1, "", "conflict"},
		{"list", []string{"users", "list"}, 0, "siti", ""},
		{"reset", []string{"users", "reset", "siti"}, 0, "", "sessions ended"},
		{"disable", []string{"users", "disable", "siti"}, 0, "", "disable done"},
		{"listed disabled", []string{"users", "list"}, 0, "disabled", ""},
		{"unknown", []string{"users", "disable", "nobody"}, 1, "", "not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, env, tc.args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Contains(t, r.stdout, tc.stdout)
			require.Contains(t, r.stderr, tc.stderr)
			if tc.name == "create officer" || tc.name == "reset" {
				require.Len(t, strings.TrimSpace(r.stdout), 20, "a generated password")
			}
		})
	}
}
