package ingest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// testAgencies is a small tree: Jawa Barat with two governments and their
// units, and a city in another zone. 32.73.DINKES has LAPOR instansi id 9001.
func testAgencies() []domain.Agency {
	return []domain.Agency{
		{Code: "32", Kind: domain.KindProvinsi, Name: "Jawa Barat", TimeZone: "Asia/Jakarta"},
		{Code: "32.73", Kind: domain.KindKota, Name: "Kota Bandung", ParentCode: "32", TimeZone: "Asia/Jakarta"},
		{Code: "32.73.DINKES", Kind: domain.KindOPD, Name: "Dinkes Kota Bandung", ParentCode: "32.73", TimeZone: "Asia/Jakarta",
			ExternalIDs: map[string]string{"lapor": "9001"}},
		{Code: "32.73.DISDIK", Kind: domain.KindOPD, Name: "Disdik Kota Bandung", ParentCode: "32.73", TimeZone: "Asia/Jakarta"},
		{Code: "32.04", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung", ParentCode: "32", TimeZone: "Asia/Jakarta"},
		{Code: "32.04.DINKES", Kind: domain.KindOPD, Name: "Dinkes Kab. Bandung", ParentCode: "32.04", TimeZone: "Asia/Jakarta"},
		{Code: "73", Kind: domain.KindProvinsi, Name: "Sulawesi Selatan", TimeZone: "Asia/Makassar"},
		{Code: "73.71", Kind: domain.KindKota, Name: "Kota Makassar", ParentCode: "73", TimeZone: "Asia/Makassar"},
	}
}

// logBuffer captures every log line the tests produce, for the privacy scan.
var logBuffer = &lockedBuffer{}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(logBuffer, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type fixture struct {
	st  *store.Store
	svc *ingest.Service
	acc *access.Service
	dir string
}

func newFixture(t *testing.T, st *store.Store, batch int) *fixture {
	t.Helper()
	ctx := context.Background()
	for _, a := range testAgencies() {
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	log := testLogger()
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	dir := t.TempDir()
	svc := ingest.NewService(st, acc, rec, ingest.Options{DataDir: dir, BatchSize: batch, Log: log})
	return &fixture{st: st, svc: svc, acc: acc, dir: dir}
}

// generator returns a synthetic history over the test agencies.
func generator(n int, seed uint64) *synth.Generator {
	return &synth.Generator{Seed: seed, Complaints: n, Agencies: testAgencies()}
}

// writeSynth writes n synthetic complaints as CSV (complaints + events) and
// NDJSON and returns the paths.
func writeSynth(t *testing.T, dir string, n int, seed uint64) (complaintsCSV, eventsCSV, ndjson string) {
	t.Helper()
	complaintsCSV = filepath.Join(dir, "complaints.csv")
	eventsCSV = filepath.Join(dir, "events.csv")
	ndjson = filepath.Join(dir, "history.ndjson")
	var cb, eb, nb bytes.Buffer
	require.NoError(t, synth.WriteCSV(&cb, &eb, generator(n, seed)))
	require.NoError(t, synth.WriteNDJSON(&nb, generator(n, seed)))
	require.NoError(t, os.WriteFile(complaintsCSV, cb.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(eventsCSV, eb.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(ndjson, nb.Bytes(), 0o644))
	return
}

// csvToXLSX copies a CSV file into the first sheet of a workbook.
func csvToXLSX(t *testing.T, csvPath, xlsxPath string) {
	t.Helper()
	b, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, sw.SetRow(cell, vals))
	}
	require.NoError(t, sw.Flush())
	require.NoError(t, f.SaveAs(xlsxPath))
}

func counts(t *testing.T, st *store.Store) map[string]int64 {
	t.Helper()
	c, err := st.IngestTableCounts(context.Background())
	require.NoError(t, err)
	return c
}

// dataCounts drops the import bookkeeping tables from counts.
func dataCounts(c map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range c {
		if !strings.HasPrefix(k, "import_") {
			out[k] = v
		}
	}
	return out
}

// agencyToken creates a token for an agency and returns its principal.
func principalFor(t *testing.T, f *fixture, role access.Role, agency string) access.Principal {
	t.Helper()
	ctx := context.Background()
	secret, _, err := f.acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: "t-" + agency, Role: role, AgencyCode: agency})
	require.NoError(t, err)
	p, err := f.acc.Authenticate(ctx, secret)
	require.NoError(t, err)
	return p
}
