package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// reporterNeedles are the fixture reporters' names and contacts (synth's
// "Pelapor Fiktif NNNNNN" / "fiktifNNNNNN@contoh.invalid" and the tests' own).
var reporterNeedles = []string{"Pelapor Fiktif", "@contoh.invalid", "+62-812"}

// TestMain fails the package when any test's log output carried reporter data.
func TestMain(m *testing.M) {
	code := m.Run()
	logs := logBuffer.String()
	for _, n := range reporterNeedles {
		if strings.Contains(logs, n) {
			fmt.Fprintf(os.Stderr, "reporter data %q found in the tests' log output\n", n)
			code = 1
		}
	}
	os.Exit(code)
}

func requireNoReporterData(t *testing.T, what, s string) {
	t.Helper()
	for _, n := range reporterNeedles {
		require.NotContains(t, s, n, "%s carries reporter data", what)
	}
}

// TestRejectionsCarryNoReporterData: rows broken in every field, reporter
// fields included, are reported by field name only, in results, error
// messages and the report file.
func TestRejectionsCarryNoReporterData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 3)
		lines := []string{
			`{"type":"complaint","tracking_id":"P-1","report_type":"pengaduan","submitted_at":"2024-01-01 10:00","agency_code":"32.73","reporter_name":{"nama":"Pelapor Fiktif X"},"reporter_contact":"+62-812-000"}`,
			`{"type":"complaint","tracking_id":"P-2","report_type":"pengaduan","submitted_at":"2024-01-01 10:00","agency_code":"32.73","reporter_name":["Pelapor Fiktif Y"],"reporter_contact":"y@contoh.invalid"}`,
			`{"type":"complaint","tracking_id":"P-3","report_type":"x","submitted_at":"kemarin","agency_code":"nope","anonymous":"mungkin","reporter_name":"Pelapor Fiktif Z","reporter_contact":"z@contoh.invalid"}`,
			`{"type":"complaint","tracking_id":"P-4","report_type":"aspirasi","submitted_at":"2024-01-01 10:00","agency_code":"32.73","reporter_name":"Pelapor Fiktif W","reporter_contact":"w@contoh.invalid","events":[{"kind":"forwarded","at":"bad"}]}`,
			`{"type":"complaint","tracking_id":"P-5","report_type":"aspirasi","submitted_at":"2024-01-01 10:00","agency_code":"32.73","reporter_name":"Pelapor Fiktif V","reporter_contact":"v@contoh.invalid"}`,
			`{"type":"complaint", "reporter_name":"Pelapor Fiktif "Q"}`,
		}
		path := filepath.Join(f.dir, "p.ndjson")
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
		rep, err := f.svc.ImportFile(ctx, access.CLI(), ingest.FileImport{Path: path, FileOptions: ingest.FileOptions{Kind: parse.KindComplaints}})
		require.NoError(t, err)
		require.EqualValues(t, 1, rep.Counts.Created)
		require.EqualValues(t, 5, rep.Counts.Rejected)
		report, err := os.ReadFile(rep.ReportPath)
		require.NoError(t, err)
		requireNoReporterData(t, "report file", string(report))
		require.Contains(t, string(report), "reporter_name", "the field is named")

		items := make([]json.RawMessage, len(lines))
		for i, l := range lines {
			items[i] = json.RawMessage(l)
		}
		items[5] = json.RawMessage(`"Pelapor Fiktif R"`)
		br, err := f.svc.SubmitComplaints(ctx, access.CLI(), "", items)
		require.NoError(t, err)
		b, err := json.Marshal(br)
		require.NoError(t, err)
		requireNoReporterData(t, "API results", string(b))
		for _, r := range br.Results {
			for _, e := range r.Errors {
				requireNoReporterData(t, "error message", e.Error())
			}
		}
		// an out-of-scope write is refused without echoing the row
		other := principalFor(t, f, access.RoleAgency, "32.04")
		br, err = f.svc.SubmitComplaints(ctx, other, "", items[4:5])
		require.NoError(t, err)
		b, _ = json.Marshal(br)
		requireNoReporterData(t, "scope rejection", string(b))
		require.Equal(t, ingest.Rejected, br.Results[0].Outcome)
	})
}
