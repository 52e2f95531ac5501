package cli

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// badRowsCSV writes 1000 complaints for 32.73, three of them broken (bad
// date on line 11, unknown agency on line 501, unknown report type on line 901).
func badRowsCSV(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	require.NoError(t, w.Write([]string{"tracking_id", "report_type", "submitted_at", "agency_code", "reporter_name", "reporter_contact"}))
	for i := 0; i < 1000; i++ {
		row := []string{fmt.Sprintf("C-%04d", i), "pengaduan", "2024-02-01 10:00", "32.73", fmt.Sprintf("Pelapor Fiktif C%04d", i), "c@contoh.invalid"}
		switch i {
		case 9:
			row[2] = "31/31/2024"
		case 499:
			row[3] = "32.99.NOPE"
		case 899:
			row[1] = "gugatan"
		}
		require.NoError(t, w.Write(row))
	}
	w.Flush()
	require.NoError(t, f.Close())
}

// TestImportAndGenCommands: exit codes 0/2/1, the report next to the file,
// a second run that changes nothing, and gen's deterministic output.
func TestImportAndGenCommands(t *testing.T) {
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
			require.Equal(t, 0, run(t, env, "migrate", "up").code)
			require.Equal(t, 0, run(t, env, "catalog", "load").code)
			dir := t.TempDir()
			file := filepath.Join(dir, "complaints.csv")
			badRowsCSV(t, file)

			r := run(t, env, "import", "complaints", "--dry-run", file)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stdout, "dry run")

			r = run(t, env, "import", "complaints", file)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stdout, "997 created")
			require.Contains(t, r.stdout, "3 rejected")
			report, err := os.ReadFile(file + ".rejections.csv")
			require.NoError(t, err)
			rows, err := csv.NewReader(strings.NewReader(string(report))).ReadAll()
			require.NoError(t, err)
			var got []string
			for _, row := range rows[1:] {
				got = append(got, row[0]+":"+row[2])
			}
			require.Equal(t, []string{"11:submitted_at", "501:agency_code", "901:report_type"}, got)

			r = run(t, env, "import", "complaints", file)
			require.Equal(t, 2, r.code)
			require.Contains(t, r.stdout, "0 created, 0 updated, 997 unchanged")

			// gen from the embedded catalogue and demo units (built in a scratch database)
			a := filepath.Join(dir, "a.ndjson")
			require.Equal(t, 0, run(t, env, "gen", "--complaints", "50", "--seed", "9", "--out", a).code)
			// catalogue mode names demo units this database lacks: rows rejected, exit 2
			require.Equal(t, 2, run(t, env, "import", "complaints", a).code)
			c := filepath.Join(dir, "c.ndjson")
			require.Equal(t, 0, run(t, env, "gen", "--from-db", "--source", "gen2", "--complaints", "50", "--seed", "11", "--out", c).code)
			r = run(t, env, "import", "complaints", c)
			require.Equal(t, 0, r.code, r.stderr+r.stdout)
			require.Contains(t, r.stdout, "50 created")
			csvOut := filepath.Join(dir, "g.csv")
			require.Equal(t, 0, run(t, env, "gen", "--from-db", "--source", "gen2", "--complaints", "50", "--seed", "11", "--format", "csv", "--out", csvOut).code)
			r = run(t, env, "import", "events", filepath.Join(dir, "g-events.csv"))
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "events 0 created", "the same history as the NDJSON")

			r = run(t, env, "import", "complaints", filepath.Join(dir, "missing.csv"))
			require.Equal(t, 1, r.code)
			require.Equal(t, 2, run(t, env, "import", "complaints").code, "usage")
		})
	}
}
