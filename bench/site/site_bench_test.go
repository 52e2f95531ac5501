// Package site_test benchmarks the public pages: throughput and p99 latency
// of the home page, the leaderboard and a scorecard under a local load
// generator, as a ratio to a gin hello-world handler served by the same
// router (same middleware, same listener, same client) in the same run.
// The data set is the demo's shape: the national catalogue, 140 Jawa Barat
// units, every published SPBE result, TANGGAP_BENCH_N synthetic complaints
// (default 20 000, the demo's size) since June 2024 through the ingest
// service, their clocks, roll-ups and the seed commitments, on the embedded
// SQLite database. Run with:
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./bench/site/
package site_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/demo"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/web"
)

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("TANGGAP_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return demo.ComplaintCount
}

// services is the part of the application the pages need, wired as
// internal/cli's openApp wires it.
type services struct {
	st      *store.Store
	acc     *access.Service
	ag      *agencies.Service
	spbe    *spbeindex.Service
	commit  *commitments.Service
	cals    *clocks.Calendars
	pols    *clocks.Policies
	clocks  *clocks.Service
	rollups *metrics.Service
	ingest  *ingest.Service
}

func build(b *testing.B, dir string, log *slog.Logger) *services {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(dir, "bench.db"), MaxOpenConns: 4, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.MigrateUp(ctx); err != nil {
		b.Fatal(err)
	}
	rec := audit.NewRecorder(st, log, time.Now)
	s := &services{st: st, acc: access.NewService(st, rec, time.Now)}
	s.ag = agencies.NewService(st, s.acc, rec)
	fws, err := spbeindex.EmbeddedFrameworks()
	if err != nil {
		b.Fatal(err)
	}
	s.spbe = spbeindex.NewService(st, s.acc, rec, s.ag, fws, time.Now)
	s.commit = commitments.NewService(st, s.acc, rec, s.ag, commitments.Options{Log: log}).WithSources(nil, commitments.SPBEIndex{History: s.spbe})
	s.cals = clocks.NewCalendars(st, log, time.Now)
	s.pols = clocks.NewPolicies(st, s.acc, rec, time.Now)
	s.clocks = clocks.NewService(st, s.cals, s.pols, rec, log, time.Now)
	s.rollups = metrics.NewService(st, log, time.Now, 10)
	s.clocks.OnClocksReplaced = s.rollups.MarkComplaints
	s.ingest = ingest.NewService(st, s.acc, rec, ingest.Options{DataDir: dir, Log: log, AfterCommit: func(ctx context.Context) {
		s.clocks.AfterIngest(ctx)
		s.rollups.AfterChange(ctx)
	}})
	deps := demo.Deps{Agencies: s.ag, SPBE: s.spbe, Ingest: s.ingest, Clocks: s.clocks, Rollups: s.rollups, Commitments: s.commit, Log: log}
	for _, step := range demo.Steps() {
		if step.Name == "complaints" {
			step = demo.ComplaintsStep(benchN(), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), time.Now().Add(-time.Hour))
		}
		sum, err := step.Run(ctx, deps)
		if err != nil {
			b.Fatalf("demo %s: %v", step.Name, err)
		}
		b.Logf("data set: %s: %s", step.Name, sum)
	}
	return s
}

// router is the production router with the public site, plus the
// hello-world baseline on the same engine.
func router(b *testing.B, s *services, log *slog.Logger, cacheTTL time.Duration) http.Handler {
	eng, err := web.NewEngine(web.LangID, log)
	if err != nil {
		b.Fatal(err)
	}
	fw, err := s.spbe.Framework("")
	if err != nil {
		b.Fatal(err)
	}
	site := web.NewSite(eng, s.ag, log).WithSPBE(s.spbe).WithComplaints(s.clocks).WithMetrics(s.rollups).
		WithCommitments(s.commit, time.Now).WithMethodology(web.Methodology{Calendar: s.cals, Policies: s.pols, Framework: fw.Framework, MinN: 10}).
		WithPageCache(cacheTTL)
	eng.AddBanners(web.CalendarBanners(s.cals, time.Now))
	r, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: s.st, Access: s.acc, Agencies: s.ag, Health: health.NewChecker(s.st),
		MaxBodyBytes: 1 << 20, Site: site})
	if err != nil {
		b.Fatal(err)
	}
	r.GET("/bench/hello", func(c *gin.Context) { c.String(http.StatusOK, "Hello, world!") })
	return r
}

type result struct {
	reqs     int
	rps      float64
	p50, p99 time.Duration
	bytes    int64
}

// load runs workers keep-alive clients against url for d and measures
// every request's latency. Pages are asked for with Accept-Encoding: gzip
// (as browsers do) and read without decompressing.
func load(b *testing.B, url string, workers int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var lat []time.Duration
	var bytes int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var n int64
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				m, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("%s: status %d", url, resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(t0))
				n += m
			}
			mu.Lock()
			lat = append(lat, mine...)
			bytes += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatalf("%s: no requests", url)
	}
	return result{reqs: len(lat), rps: float64(len(lat)) / d.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], bytes: bytes / int64(len(lat))}
}

func BenchmarkPublicSite(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gin.SetMode(gin.ReleaseMode)
	s := build(b, b.TempDir(), log)
	defer s.st.Close()
	workers, d := 8, 5*time.Second
	if v, err := time.ParseDuration(os.Getenv("TANGGAP_BENCH_DURATION")); err == nil {
		d = v
	}
	pages := []struct{ name, path string }{{"home", "/"}, {"leaderboard", "/peringkat"}, {"scorecard 32.73", "/kinerja/32.73"}}
	for _, mode := range []struct {
		name string
		ttl  time.Duration
	}{{"micro-cache 10 s (as served)", 10 * time.Second}, {"no server cache", 0}} {
		srv := httptest.NewServer(router(b, s, log, mode.ttl))
		for _, p := range pages { // warm up: first render, SQLite page cache
			load(b, srv.URL+p.path, 1, 200*time.Millisecond)
		}
		hello := load(b, srv.URL+"/bench/hello", workers, d)
		var rows []string
		rows = append(rows, fmt.Sprintf("| %s | hello world | %.0f | %s | %s | — | %d |", mode.name, hello.rps, hello.p50.Round(time.Microsecond), hello.p99.Round(time.Microsecond), hello.bytes))
		for _, p := range pages {
			r := load(b, srv.URL+p.path, workers, d)
			ratio := r.rps / hello.rps
			rows = append(rows, fmt.Sprintf("| %s | %s | %.0f | %s | %s | **%.2f** | %d |", mode.name, p.name, r.rps, r.p50.Round(time.Microsecond),
				r.p99.Round(time.Microsecond), ratio, r.bytes))
			if mode.ttl > 0 {
				b.ReportMetric(ratio, "ratio_"+strings.Fields(p.name)[0])
			}
		}
		srv.Close()
		b.Logf("%d workers, %s per URL, N=%d complaints\n| mode | page | req/s | p50 | p99 | ratio | bytes/resp |\n|---|---|---:|---:|---:|---:|---:|\n%s",
			workers, d, benchN(), strings.Join(rows, "\n"))
	}
}
