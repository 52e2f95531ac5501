// Package metrics_test benchmarks the roll-ups on PostgreSQL at national
// shape: build them, then serve the leaderboard and agency-metrics API from
// them, against the naive GROUP BY over raw clocks for the same figures,
// and an incremental refresh after a 10 000-complaint batch against the full
// rebuild, all in one run. Run with:
//
//	TANGGAP_BENCH_N=1000000 go test -run '^$' -bench . -benchtime 1x -timeout 60m ./bench/metrics/
package metrics_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("TANGGAP_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// now is the benchmark's "today": the data spans the five years before it.
var now = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

func exec(b *testing.B, db *sql.DB, q string, args ...any) {
	b.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		b.Fatalf("%v\n%s", err, q)
	}
}

// seedTree stores the national shape: 38 provinces × 14 governments (532)
// × 37 units (19 684 units), all in Jakarta time.
func seedTree(b *testing.B, db *sql.DB) {
	exec(b, db, `INSERT INTO agencies (code, kind, name, short_name, parent_id, path, depth, government_code, time_zone, active, created_at, updated_at)
		VALUES ('ID', 'national', 'Indonesia', 'ID', NULL, '/ID/', 0, 'ID', 'Asia/Jakarta', TRUE, now(), now())`)
	exec(b, db, `INSERT INTO agencies (code, kind, name, short_name, parent_id, path, depth, government_code, time_zone, active, created_at, updated_at)
		SELECT 'P'||lpad(i::text, 2, '0'), 'provinsi', 'Provinsi '||i, 'P'||i, (SELECT id FROM agencies WHERE code = 'ID'),
		       '/ID/P'||lpad(i::text, 2, '0')||'/', 1, 'P'||lpad(i::text, 2, '0'), 'Asia/Jakarta', TRUE, now(), now()
		FROM generate_series(1, 38) i`)
	exec(b, db, `INSERT INTO agencies (code, kind, name, short_name, parent_id, path, depth, government_code, time_zone, active, created_at, updated_at)
		SELECT p.code||'.'||lpad(i::text, 2, '0'), 'kabupaten', 'Kabupaten '||p.code||'.'||i, p.code||'.'||i, p.id,
		       p.path||p.code||'.'||lpad(i::text, 2, '0')||'/', 2, p.code||'.'||lpad(i::text, 2, '0'), 'Asia/Jakarta', TRUE, now(), now()
		FROM agencies p, generate_series(1, 14) i WHERE p.kind = 'provinsi'`)
	exec(b, db, `INSERT INTO agencies (code, kind, name, short_name, parent_id, path, depth, government_code, time_zone, active, created_at, updated_at)
		SELECT g.code||'.U'||lpad(i::text, 2, '0'), 'opd', 'Unit '||i||' '||g.code, 'U'||i, g.id,
		       g.path||g.code||'.U'||lpad(i::text, 2, '0')||'/', 3, g.code, 'Asia/Jakarta', TRUE, now(), now()
		FROM agencies g, generate_series(1, 37) i WHERE g.kind = 'kabupaten'`)
}

// seedComplaints stores complaints from id first to first+n-1 at random
// units over the five years before now, each with a first-response and a
// completion clock and the responded / completed events that stopped them
// (85 % answered, 60 % completed; the rest running, overdue when past due).
func seedComplaints(b *testing.B, db *sql.DB, first, n int) {
	exec(b, db, `CREATE TABLE IF NOT EXISTS bench_units AS SELECT row_number() OVER (ORDER BY id) AS k, id, government_code FROM agencies WHERE kind = 'opd'`)
	exec(b, db, `INSERT INTO complaints (id, source, tracking_id, report_type, category, channel, submitted_at, agency_id, government_code,
			confidential, title, created_at, updated_at)
		SELECT i, 'lapor', 'B'||i, 'pengaduan', 'jalan', 'web', $3::timestamptz - (hashint4(i::int) & 1023) * interval '1.78 days' - (i % 86400) * interval '1 second',
		       u.id, u.government_code, i % 10 = 0, 'Laporan '||i, now(), now()
		FROM generate_series($1::bigint, $2::bigint) i JOIN bench_units u ON u.k = 1 + (hashint4(i::int * 7) & 2147483647) % (SELECT count(*) FROM bench_units)`,
		first, first+n-1, now)
	exec(b, db, `INSERT INTO complaint_clocks (complaint_id, agency_id, government_code, kind, cycle, started_at, due_at, stopped_at, limit_days,
			working_days_used, paused_working_days, verdict, policy_version, policy_rule, calendar_version, computed_at)
		SELECT c.id, c.agency_id, c.government_code, k.kind, 1, c.submitted_at + interval '2 hours', c.submitted_at + k.limit_days * interval '1.4 days',
		       CASE WHEN s.stop <= $3::timestamptz THEN s.stop END, k.limit_days, s.days * 5 / 7, 0,
		       CASE WHEN s.stop <= $3::timestamptz AND s.stop <= c.submitted_at + k.limit_days * interval '1.4 days' THEN 'met'
		            WHEN s.stop <= $3::timestamptz THEN 'breached'
		            WHEN c.submitted_at + k.limit_days * interval '1.4 days' < $3::timestamptz THEN 'overdue' ELSE 'open' END,
		       'bench', 0, 'bench', now()
		FROM complaints c
		CROSS JOIN (VALUES ('first_response', 5, 85), ('completion', 14, 60)) AS k(kind, limit_days, pct)
		CROSS JOIN LATERAL (SELECT (hashint4(c.id::int + k.limit_days) & 1023) % (k.limit_days * 2) AS days) d
		CROSS JOIN LATERAL (SELECT CASE WHEN (hashint4(c.id::int * 3 + k.limit_days) & 1023) % 100 < k.pct
		                        THEN c.submitted_at + interval '2 hours' + d.days * interval '1 day' ELSE 'infinity'::timestamptz END AS stop, d.days) s
		WHERE c.id BETWEEN $1 AND $2`, first, first+n-1, now)
	exec(b, db, `INSERT INTO complaint_events (complaint_id, source, tracking_id, event_key, kind, at, agency_id, created_at)
		SELECT k.complaint_id, 'lapor', 'B'||k.complaint_id, k.kind, CASE k.kind WHEN 'first_response' THEN 'responded' ELSE 'completed' END,
		       k.stopped_at, k.agency_id, now()
		FROM complaint_clocks k WHERE k.stopped_at IS NOT NULL AND k.complaint_id BETWEEN $1 AND $2`, first, first+n-1)
	exec(b, db, `ANALYZE`)
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	return ds[len(ds)/2], ds[(len(ds)*99+99)/100-1]
}

// timeRequests runs reqs GETs of url through the router (no network) and
// returns p50 and p99.
func timeRequests(b *testing.B, h http.Handler, url string, reqs int) (time.Duration, time.Duration) {
	ds := make([]time.Duration, reqs)
	for i := range ds {
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
		ds[i] = time.Since(t0)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", url, w.Code, w.Body.String())
		}
	}
	return percentiles(ds)
}

// naiveBoard is the same leaderboard answer (per child government of a
// province for a year: received, responded, first-response cohort, median
// days to first response) computed from raw clocks and events.
const naiveBoard = `
SELECT g.code,
  count(DISTINCT k.complaint_id) FILTER (WHERE k.kind = 'first_response' AND k.started_at >= $2 AND k.started_at < $3) AS received,
  count(DISTINCT e.complaint_id) FILTER (WHERE k.started_at >= $2 AND k.started_at < $3) AS responded,
  count(*) FILTER (WHERE k.kind = 'first_response' AND k.due_at >= $2 AND k.due_at < $3 AND k.verdict IN ('met', 'breached', 'overdue')) AS due,
  count(*) FILTER (WHERE k.kind = 'first_response' AND k.due_at >= $2 AND k.due_at < $3 AND k.verdict = 'met') AS on_time,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY k.working_days_used) FILTER (WHERE k.kind = 'first_response' AND k.stopped_at >= $2 AND k.stopped_at < $3) AS median
FROM agencies g
JOIN agencies a ON a.path >= g.path AND a.path < left(g.path, -1) || '0'
JOIN complaint_clocks k ON k.agency_id = a.id
LEFT JOIN complaint_events e ON e.complaint_id = k.complaint_id AND e.kind = 'responded' AND k.kind = 'first_response'
WHERE g.parent_id = (SELECT id FROM agencies WHERE code = $1)
GROUP BY g.code ORDER BY g.code`

// naiveAgency is the same for one agency's subtree.
const naiveAgency = `
SELECT count(DISTINCT k.complaint_id) FILTER (WHERE k.kind = 'first_response' AND k.started_at >= $2 AND k.started_at < $3),
  count(*) FILTER (WHERE k.kind = 'first_response' AND k.due_at >= $2 AND k.due_at < $3 AND k.verdict IN ('met', 'breached', 'overdue')),
  count(*) FILTER (WHERE k.kind = 'first_response' AND k.due_at >= $2 AND k.due_at < $3 AND k.verdict = 'met'),
  percentile_disc(0.5) WITHIN GROUP (ORDER BY k.working_days_used) FILTER (WHERE k.kind = 'first_response' AND k.stopped_at >= $2 AND k.stopped_at < $3)
FROM agencies g
JOIN agencies a ON a.path >= g.path AND a.path < left(g.path, -1) || '0'
JOIN complaint_clocks k ON k.agency_id = a.id
WHERE g.code = $1`

func timeQuery(b *testing.B, db *sql.DB, q string, runs int, args ...any) (time.Duration, time.Duration) {
	ds := make([]time.Duration, runs)
	for i := range ds {
		t0 := time.Now()
		rs, err := db.Query(q, args...)
		if err != nil {
			b.Fatal(err)
		}
		for rs.Next() {
		}
		if err := rs.Err(); err != nil {
			b.Fatal(err)
		}
		rs.Close()
		ds[i] = time.Since(t0)
	}
	return percentiles(ds)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func BenchmarkRollups(b *testing.B) {
	storetest.RequirePostgres(b)
	st := storetest.Postgres(b)
	db, err := st.SQLDB()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	n := benchN()
	t0 := time.Now()
	seedTree(b, db)
	seedComplaints(b, db, 1, n)
	load := time.Since(t0)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := metrics.NewService(st, log, func() time.Time { return now }, 10)
	h, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Rollups: svc, MaxBodyBytes: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		t1 := time.Now()
		rep, err := svc.Rebuild(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rebuild := time.Since(t1)

		lo, hi := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		const reqs = 1000
		bp50, bp99 := timeRequests(b, h, "/api/v1/leaderboard?parent=P05&period=2024&sort=first_response_on_time", reqs)
		ap50, ap99 := timeRequests(b, h, "/api/v1/agencies/P05/metrics?period=2024&within=3", reqs)
		nb50, _ := timeQuery(b, db, naiveBoard, 5, "P05", lo, hi)
		na50, _ := timeQuery(b, db, naiveAgency, 5, "P05", lo, hi)

		// a 10 000-complaint batch arriving now, marked as the clock engine
		// marks it, then the incremental refresh
		const batch = 10_000
		seedComplaints(b, db, n+1, batch)
		ids := make([]int64, batch)
		for i := range ids {
			ids[i] = int64(n + 1 + i)
		}
		if err := st.InTx(ctx, func(tx *store.Store) error { return tx.MarkRollupsForComplaints(ctx, ids, now) }); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		inc, err := svc.Refresh(ctx)
		if err != nil {
			b.Fatal(err)
		}
		refresh := time.Since(t2)

		b.ReportMetric(float64(n), "complaints")
		b.ReportMetric(load.Seconds(), "load_s")
		b.ReportMetric(rebuild.Seconds(), "rebuild_s")
		b.ReportMetric(float64(rep.Rows), "rows")
		b.ReportMetric(ms(bp50), "board_p50_ms")
		b.ReportMetric(ms(bp99), "board_p99_ms")
		b.ReportMetric(ms(ap50), "agency_p50_ms")
		b.ReportMetric(ms(ap99), "agency_p99_ms")
		b.ReportMetric(ms(nb50), "naive_board_ms")
		b.ReportMetric(ms(na50), "naive_agency_ms")
		b.ReportMetric(float64(nb50)/float64(bp50), "board_speedup_x")
		b.ReportMetric(float64(na50)/float64(ap50), "agency_speedup_x")
		b.ReportMetric(refresh.Seconds(), "refresh10k_s")
		b.ReportMetric(float64(inc.Pairs), "dirty_pairs")
		b.ReportMetric(rebuild.Seconds()/refresh.Seconds(), "rebuild_over_refresh_x")
		fmt.Fprintf(os.Stderr, "n=%d load=%s rebuild=%s rows=%d board p50/p99=%s/%s agency p50/p99=%s/%s naive board=%s naive agency=%s refresh(10k)=%s pairs=%d\n",
			n, load, rebuild, rep.Rows, bp50, bp99, ap50, ap99, nb50, na50, refresh, inc.Pairs)
	}
}
