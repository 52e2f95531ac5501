// Command ingest benchmarks the PostgreSQL bulk import against a raw COPY of
// the same rows into bare tables, in one run:
//
//	go run ./bench/ingest -n 100000            # generate, import, baseline
//	go run ./bench/ingest -n 1000000 -keep     # keep the database for inspection
//
// It creates a scratch database on TANGGAP_TEST_DATABASE_URL's server (default
// the local test server), loads the catalogue and the demo units, writes n
// synthetic complaints as NDJSON (events embedded), imports the file with
// the service the CLI uses, records the peak RSS right after the import,
// then COPYs the same rows into bare tables. Figures are printed as one
// JSON line and a Markdown table row.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/demo"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/synth"
)

type result struct {
	N              int     `json:"complaints"`
	Events         int64   `json:"events"`
	FileBytes      int64   `json:"file_bytes"`
	ImportSeconds  float64 `json:"import_s"`
	ImportRowsPerS float64 `json:"import_rows_per_s"` // complaints + events
	CopySeconds    float64 `json:"copy_s"`            // COPY time, generation subtracted
	CopyRowsPerS   float64 `json:"copy_rows_per_s"`
	Ratio          float64 `json:"ratio"` // import throughput ÷ COPY throughput
	PeakRSSMiB     float64 `json:"peak_rss_mib"`
	BatchSize      int     `json:"batch_size"`
}

func main() {
	n := flag.Int("n", 100000, "complaints")
	batch := flag.Int("batch", ingest.DefaultBatchSize, "rows per transaction")
	keep := flag.Bool("keep", false, "keep the scratch database")
	dir := flag.String("dir", os.TempDir(), "where the NDJSON file is written")
	flag.Parse()
	if err := run(context.Background(), *n, *batch, *keep, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n, batch int, keep bool, dir string) error {
	admin := storetest.PostgresURL()
	name := fmt.Sprintf("bench_ingest_%d", time.Now().UnixNano())
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	if !keep {
		defer adb.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE "+name+" WITH (FORCE)")
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	dbURL := u.String()

	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, store.Options{DatabaseURL: dbURL, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.MigrateUp(ctx); err != nil {
		return err
	}
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	for _, s := range demo.Steps() {
		if s.Name == "catalogue" || s.Name == "units" {
			if _, err := s.Run(ctx, demo.Deps{Agencies: ag, Log: log}); err != nil {
				return err
			}
		}
	}
	list, err := demo.JabarAgencies(ctx, ag)
	if err != nil {
		return err
	}
	gen := func() *synth.Generator { return &synth.Generator{Seed: 42, Complaints: n, Agencies: list} }

	path := filepath.Join(dir, fmt.Sprintf("bench-ingest-%d.ndjson", n))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := synth.WriteNDJSON(f, gen()); err != nil {
		return err
	}
	f.Close()
	defer os.Remove(path)
	fi, _ := os.Stat(path)

	runtime.GC()
	svc := ingest.NewService(st, acc, rec, ingest.Options{BatchSize: batch, Log: log})
	t0 := time.Now()
	rep, err := svc.ImportFile(ctx, access.CLI(), ingest.FileImport{Path: path, FileOptions: ingest.FileOptions{Kind: parse.KindComplaints}})
	if err != nil {
		return err
	}
	importDur := time.Since(t0)
	peak := peakRSS()
	if rep.Counts.Created != int64(n) || rep.Counts.Rejected != 0 {
		return fmt.Errorf("import: %+v", rep.Counts)
	}
	rows := float64(rep.Counts.Created + rep.Counts.EventsCreated)

	copyDur, err := rawCopy(ctx, dbURL, gen)
	if err != nil {
		return err
	}
	r := result{N: n, Events: rep.Counts.EventsCreated, FileBytes: fi.Size(), ImportSeconds: importDur.Seconds(),
		ImportRowsPerS: rows / importDur.Seconds(), CopySeconds: copyDur.Seconds(), CopyRowsPerS: rows / copyDur.Seconds(),
		PeakRSSMiB: peak, BatchSize: batch}
	r.Ratio = r.ImportRowsPerS / r.CopyRowsPerS
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	fmt.Printf("| %d | %d | %.1f | %.0f | %.1f | %.0f | %.2f | %.0f |\n", n, r.Events, r.ImportSeconds, r.ImportRowsPerS,
		r.CopySeconds, r.CopyRowsPerS, r.Ratio, r.PeakRSSMiB)
	return nil
}

// rawCopy COPYs the generated complaints, reporters and events into bare
// tables (no keys, no indexes, no checks) in transactions of 1000
// complaints, the importer's batching, and returns only the time spent in
// COPY and COMMIT: building the rows is not counted.
func rawCopy(ctx context.Context, dbURL string, gen func() *synth.Generator) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`CREATE TABLE bare_complaints (id bigint, source text, tracking_id text, report_type text, category text, channel text,
		  submitted_at timestamptz, agency_id bigint, government_code text, region_code text, anonymous boolean,
		  confidential boolean, title text, summary text, source_updated_at timestamptz, created_at timestamptz, updated_at timestamptz)`,
		`CREATE TABLE bare_reporters (complaint_id bigint, name text, contact text)`,
		`CREATE TABLE bare_events (complaint_id bigint, source text, tracking_id text, event_key text, kind text, at timestamptz,
		  agency_id bigint, to_agency_id bigint, public_text text, created_at timestamptz)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	ccols := []string{"id", "source", "tracking_id", "report_type", "category", "channel", "submitted_at", "agency_id",
		"government_code", "region_code", "anonymous", "confidential", "title", "summary", "source_updated_at", "created_at", "updated_at"}
	ecols := []string{"complaint_id", "source", "tracking_id", "event_key", "kind", "at", "agency_id", "to_agency_id", "public_text", "created_at"}
	now := time.Now().UTC()
	var total time.Duration
	var cs, rs, es [][]any
	var id int64
	flush := func() error {
		t := time.Now()
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bare_complaints"}, ccols, pgx.CopyFromRows(cs)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bare_reporters"}, []string{"complaint_id", "name", "contact"}, pgx.CopyFromRows(rs)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bare_events"}, ecols, pgx.CopyFromRows(es)); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		total += time.Since(t)
		cs, rs, es = cs[:0], rs[:0], es[:0]
		return nil
	}
	err = gen().Each(func(c domain.Complaint, r domain.Reporter, evs []domain.Event) error {
		id++
		cs = append(cs, []any{id, c.Source, c.TrackingID, string(c.ReportType), c.Category, c.Channel, c.SubmittedAt, int64(1), "32",
			c.RegionCode, c.Anonymous, c.Confidential, c.Title, c.Summary, c.SourceUpdatedAt, now, now})
		rs = append(rs, []any{id, r.Name, r.Contact})
		for _, e := range evs {
			es = append(es, []any{id, e.Source, e.TrackingID, e.EventID, string(e.Kind), e.At, int64(1), int64(1), e.PublicText, now})
		}
		if len(cs) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(cs) > 0 {
		err = flush()
	}
	return total, err
}

func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
