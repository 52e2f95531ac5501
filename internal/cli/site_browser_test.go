package cli

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/config"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/demo"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
)

// The public site in headless Chromium over a demo-like data set: the
// national catalogue, Jawa Barat units, the published SPBE results, a few
// thousand synthetic complaints since June 2024 through the ingest
// service, their clocks and roll-ups, the seed commitments, plus three
// confidential complaints with marker texts that must never reach a page.

// siteComplaints is the size of the synthetic history (the demo has 20 000);
// it starts before the LAPOR commitment was signed (2024-08-07), whose
// baseline is computed from the complaints of that day.
const siteComplaints = 8000

var siteHistoryFrom = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// Markers of the confidential fixture complaints: none may appear on a page.
var confidentialMarkers = []string{"RAHASIA-JUDUL", "RAHASIA-RINGKASAN", "RAHASIA-TEKS", "Pelapor Penanda Rahasia", "penanda-rahasia@contoh.invalid"}

// syntheticReporter matches every synthetic reporter's name and contact
// (synth.ReporterName, synth.ReporterContact).
var syntheticReporter = regexp.MustCompile(`Pelapor Fiktif \d{6}|fiktif\d{6}@contoh\.invalid`)

// missingKey matches the translator's marker of a key missing in a catalogue.
var missingKey = regexp.MustCompile(`\[[a-z0-9_]+\.[a-z0-9_.]+\]`)

type siteFixture struct {
	base             string
	publicTracking   string // a public complaint with an overdue clock
	confidentialPath string
}

// writeConfidentialMarkers imports three confidential complaints at Kota
// Bandung: one answered, two left overdue so they are listed on the
// scorecards' overdue lists (by tracking number only).
func writeConfidentialMarkers(ctx context.Context, a *app, dir string, now time.Time) error {
	path := filepath.Join(dir, "confidential.ndjson")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for i := 1; i <= 3; i++ {
		sub := now.AddDate(0, 0, -20-i).In(time.FixedZone("WIB", 7*3600))
		events := []map[string]any{
			{"event_id": "e1", "kind": "submitted", "at": sub.Format(time.RFC3339)},
			{"event_id": "e2", "kind": "assigned", "at": sub.Add(time.Hour).Format(time.RFC3339), "agency_code": "32.73", "to_agency_code": "32.73"},
		}
		if i == 1 {
			events = append(events, map[string]any{"event_id": "e3", "kind": "responded", "at": sub.Add(49 * time.Hour).Format(time.RFC3339),
				"agency_code": "32.73", "public_text": fmt.Sprintf("RAHASIA-TEKS-%d", i)})
		}
		line := map[string]any{"type": "complaint", "tracking_id": fmt.Sprintf("RAHASIA-%d", i), "source": "lapor", "report_type": "pengaduan",
			"category": "Infrastruktur", "channel": "web", "submitted_at": sub.Format(time.RFC3339), "agency_code": "32.73", "anonymous": false,
			"confidential": true, "title": fmt.Sprintf("RAHASIA-JUDUL-%d", i), "summary": fmt.Sprintf("RAHASIA-RINGKASAN-%d", i),
			"reporter_name": "Pelapor Penanda Rahasia", "reporter_contact": "penanda-rahasia@contoh.invalid", "events": events}
		if err := enc.Encode(line); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	rep, err := a.ingest.ImportFile(ctx, access.CLI(), ingest.FileImport{Path: path,
		FileOptions: ingest.FileOptions{Kind: parse.KindComplaints, Format: parse.FormatNDJSON}})
	if err != nil {
		return err
	}
	if rep.Counts.Rejected > 0 {
		return fmt.Errorf("%d marker complaints rejected", rep.Counts.Rejected)
	}
	return nil
}

// startPublicSite builds the data set through the demo steps (with a
// smaller, recent complaint history) and serves it until the test ends.
func startPublicSite(t *testing.T) siteFixture {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load([]string{"TANGGAP_DATA_DIR=" + dir, "TANGGAP_LISTEN_ADDR=127.0.0.1:0", "TANGGAP_SCHEDULER_ENABLED=false"})
	require.NoError(t, err)
	var logw io.Writer = io.Discard
	if os.Getenv("TANGGAP_TEST_LOG") != "" { // server errors while debugging a failure
		logw = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, log)
	require.NoError(t, err)
	require.NoError(t, a.requireSchema(ctx, true))
	now := time.Now()
	deps := demo.Deps{Agencies: a.agencies, SPBE: a.spbe, Ingest: a.ingest, Clocks: a.clocks, Rollups: a.rollups, Commitments: a.commitments, Log: log}
	start := time.Now()
	for _, s := range demo.Steps() {
		if s.Name == "complaints" {
			s = demo.ComplaintsStep(siteComplaints, siteHistoryFrom, now.Add(-time.Hour))
		}
		summary, err := s.Run(ctx, deps)
		require.NoError(t, err, "demo step %s", s.Name)
		t.Logf("data set: %s: %s", s.Name, summary)
		if s.Name == "complaints" {
			require.NoError(t, writeConfidentialMarkers(ctx, a, dir, now))
		}
	}
	t.Logf("data set built in %s", time.Since(start).Round(time.Millisecond))

	fx := siteFixture{confidentialPath: "/complaints/lapor/RAHASIA-2"}
	lines, _, err := a.rollups.Overdue(ctx, "32", domain.VerdictOverdue, true, 50, 0)
	require.NoError(t, err)
	for _, l := range lines {
		if l.Title != "" {
			fx.publicTracking = l.TrackingID
			break
		}
	}
	require.NotEmpty(t, fx.publicTracking, "a public overdue complaint in Jawa Barat")

	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, a, func(s string) { addr <- s }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		a.Close()
	})
	select {
	case s := <-addr:
		fx.base = "http://" + s
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return fx
}

// browserLog collects console errors, uncaught exceptions and error log
// entries (failed loads, CSP violations) of a browser context.
type browserLog struct {
	mu     sync.Mutex
	errors []string
}

func (l *browserLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.errors
	l.errors = nil
	return out
}

func (l *browserLog) add(s string) {
	l.mu.Lock()
	l.errors = append(l.errors, s)
	l.mu.Unlock()
}

func siteBrowser(t *testing.T, width, height int64) (context.Context, *browserLog) {
	t.Helper()
	path := chromiumPath(t)
	profile, err := os.MkdirTemp("", "tanggap-site-chromium-")
	require.NoError(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(int(width), int(height)),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		// Chromium's helpers may still be flushing the profile for a moment
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	bl := &browserLog{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				bl.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			bl.add("exception: " + ev.ExceptionDetails.Error())
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError {
				bl.add("log (" + string(ev.Entry.Source) + "): " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	})
	require.NoError(t, chromedp.Run(ctx, cdplog.Enable()))
	return ctx, bl
}

// sitePage is a page visited in both languages.
type sitePage struct{ name, path string }

func sitePages(fx siteFixture) []sitePage {
	return []sitePage{
		{"home", "/"},
		{"leaderboard", "/peringkat"},
		{"leaderboard-units", "/peringkat?jenis=opd&provinsi=32"},
		{"region", "/wilayah/32"},
		{"scorecard-province", "/kinerja/32"},
		{"scorecard", "/kinerja/32.73"},
		{"scorecard-unit", "/kinerja/32.73.DINKES"},
		{"complaint", "/complaints/lapor/" + fx.publicTracking},
		{"complaint-confidential", fx.confidentialPath},
		{"commitments", "/komitmen"},
		{"commitment", "/komitmen/jabar-spbe-2024"},
		{"spbe", "/spbe"},
		{"spbe-comparison", "/spbe/32"},
		{"spbe-government", "/spbe/agency/32.73"},
		{"methodology", "/metodologi"},
		{"data", "/data"},
		{"about", "/tentang"},
	}
}

func withLangParam(path, lang string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

func siteArtifactDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "artifacts", "site")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// axeResult is the part of axe.run's result the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestPublicSite drives every public page in headless Chromium over one
// data set built once: pages render in both languages without console
// errors (a screenshot of each is written under testdata/artifacts/site),
// no page shows a reporter or a confidential complaint's content, the
// language switch persists, sort/filter/search/pages work with JavaScript
// disabled, the cache validators answer 304, and axe-core finds no serious
// or critical accessibility violation.
func TestPublicSite(t *testing.T) {
	chromiumPath(t)
	fx := startPublicSite(t)
	pages := sitePages(fx)

	t.Run("pages render in both languages, screenshots, PII scan", func(t *testing.T) {
		ctx, bl := siteBrowser(t, 1280, 900)
		dir := siteArtifactDir(t)
		for _, lang := range []string{"id", "en"} {
			for _, p := range pages {
				var html, docLang, text string
				var shot []byte
				err := chromedp.Run(ctx,
					chromedp.Navigate(fx.base+withLangParam(p.path, lang)),
					chromedp.WaitReady("main"),
					chromedp.Evaluate(`document.documentElement.lang`, &docLang),
					chromedp.Evaluate(`document.documentElement.outerHTML`, &html),
					chromedp.Text("body", &text, chromedp.ByQuery),
					chromedp.FullScreenshot(&shot, 100),
				)
				require.NoError(t, err, p.name)
				require.Empty(t, bl.take(), "%s (%s): console errors", p.name, lang)
				require.Equal(t, lang, docLang, p.name)
				require.NotContains(t, text, "Halaman tidak ditemukan", p.name)
				require.NotContains(t, text, "Page not found", p.name)
				require.Empty(t, missingKey.FindAllString(text, -1), "%s (%s): missing translations", p.name, lang)
				require.Empty(t, syntheticReporter.FindAllString(html, 5), "%s (%s): a reporter's name or contact", p.name, lang)
				for _, m := range confidentialMarkers {
					require.NotContains(t, html, m, "%s (%s): confidential content", p.name, lang)
				}
				require.NoError(t, os.WriteFile(filepath.Join(dir, p.name+"-"+lang+".png"), shot, 0o644))
			}
		}
		// the home page on a phone
		var shot []byte
		require.NoError(t, chromedp.Run(ctx,
			emulation.SetDeviceMetricsOverride(390, 844, 2, true),
			chromedp.Navigate(fx.base+"/?lang=id"), chromedp.WaitReady("main"),
			chromedp.FullScreenshot(&shot, 100)))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "home-phone-id.png"), shot, 0o644))
		var scrollW, clientW int
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW),
			chromedp.Evaluate(`document.documentElement.clientWidth`, &clientW)))
		require.LessOrEqual(t, scrollW, clientW, "no horizontal scrolling on a phone")
	})

	t.Run("confidential complaint shows status only", func(t *testing.T) {
		resp, err := http.Get(fx.base + fx.confidentialPath)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(b), "RAHASIA-2", "the tracking number is public")
		require.Contains(t, string(b), "bersifat rahasia")
	})

	t.Run("language switch works and persists", func(t *testing.T) {
		ctx, bl := siteBrowser(t, 1280, 900)
		var lang1, lang2, lang3, h1 string
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Navigate(fx.base+"/"), chromedp.WaitReady("main"),
			chromedp.Evaluate(`document.documentElement.lang`, &lang1),
			chromedp.Click(`header nav li.lang a`, chromedp.ByQuery), chromedp.WaitReady(`html[lang="en"]`, chromedp.ByQuery),
			chromedp.Text("main h1", &h1, chromedp.ByQuery),
			// a plain link without ?lang= keeps English: the cookie persists
			chromedp.Click(`header nav a[href="/peringkat"]`, chromedp.ByQuery), chromedp.WaitReady(`table.board`, chromedp.ByQuery),
			chromedp.Evaluate(`document.documentElement.lang`, &lang2),
			chromedp.Click(`header nav li.lang a`, chromedp.ByQuery), chromedp.WaitReady(`html[lang="id"]`, chromedp.ByQuery),
			chromedp.Navigate(fx.base+"/metodologi"), chromedp.WaitReady("main"),
			chromedp.Evaluate(`document.documentElement.lang`, &lang3),
		))
		require.Equal(t, "id", lang1)
		require.Equal(t, "Are complaints answered on time?", strings.TrimSpace(h1))
		require.Equal(t, "en", lang2)
		require.Equal(t, "id", lang3)
		require.Empty(t, bl.take())
	})

	t.Run("sort, filter, search and pages work without JavaScript", func(t *testing.T) {
		ctx, _ := siteBrowser(t, 1280, 900)
		rowNames := func(names *[]string) chromedp.Action {
			return chromedp.Evaluate(`Array.from(document.querySelectorAll('table.board tbody th a')).map(a => a.textContent.trim())`, names)
		}
		var jsOff bool
		var byName, cities, search, page2 []string
		var loc, count2 string
		require.NoError(t, chromedp.Run(ctx,
			emulation.SetScriptExecutionDisabled(true),
			chromedp.Navigate(fx.base+"/peringkat?lang=id"), chromedp.WaitReady(`table.board`, chromedp.ByQuery),
			// a page script would set this; with scripts disabled it stays unset
			chromedp.Evaluate(`document.querySelectorAll('script').length === 0`, &jsOff),
			// sort by name: click the column heading
			chromedp.Click(`table.board thead th a[href*="sort=name"]`, chromedp.ByQuery), chromedp.WaitReady(`th[aria-sort="ascending"]`, chromedp.ByQuery),
			rowNames(&byName),
			// filter: cities of Jawa Barat, submitted with the form's button
			chromedp.SetValue(`#f-prov`, "32", chromedp.ByID), chromedp.SetValue(`#f-kind`, "kota", chromedp.ByID),
			chromedp.Click(`form.filters button[type="submit"]`, chromedp.ByQuery), chromedp.WaitReady(`#f-kind option[value="kota"][selected]`, chromedp.ByQuery),
			chromedp.Location(&loc), rowNames(&cities),
			// search by name
			chromedp.SetValue(`#f-kind`, "", chromedp.ByID), chromedp.SetValue(`#f-q`, "bandung", chromedp.ByID),
			chromedp.Click(`form.filters button[type="submit"]`, chromedp.ByQuery), chromedp.WaitReady(`#f-q[value="bandung"]`, chromedp.ByQuery),
			rowNames(&search),
			// pages: every government, second page
			chromedp.Navigate(fx.base+"/peringkat?sort=name&order=asc"), chromedp.WaitReady(`table.board`, chromedp.ByQuery),
			chromedp.Click(`nav.pager a[rel="next"]`, chromedp.ByQuery), chromedp.WaitReady(`nav.pager a[rel="prev"]`, chromedp.ByQuery),
			rowNames(&page2), chromedp.Text(`#board-count`, &count2, chromedp.ByQuery),
		))
		require.True(t, jsOff)
		require.Len(t, byName, 50)
		require.True(t, sort.SliceIsSorted(byName, func(i, j int) bool { return strings.ToLower(byName[i]) < strings.ToLower(byName[j]) }), "sorted by name: %v", byName[:5])
		require.Contains(t, loc, "provinsi=32")
		require.Contains(t, loc, "jenis=kota")
		require.Len(t, cities, 9, "Jawa Barat has 9 cities: %v", cities)
		for _, c := range cities {
			require.True(t, strings.HasPrefix(c, "Kota "), c)
		}
		require.ElementsMatch(t, []string{"Kota Bandung", "Kabupaten Bandung", "Kabupaten Bandung Barat"}, search)
		require.Len(t, page2, 50)
		require.Contains(t, count2, "51–100 dari 552")
	})

	t.Run("validators: ETag, 304, gzip, Last-Modified", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		req, _ := http.NewRequest(http.MethodGet, fx.base+"/kinerja/32.73?lang=id", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		require.NoError(t, err)
		zr, err := gzip.NewReader(resp.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		require.Equal(t, "public, max-age=60", resp.Header.Get("Cache-Control"))
		require.NotEmpty(t, resp.Header.Get("Last-Modified"))
		require.Contains(t, string(body), "<svg class=\"chart\"")
		etag := resp.Header.Get("ETag")
		require.Regexp(t, `^W/"[0-9a-f]{24}"$`, etag)

		req, _ = http.NewRequest(http.MethodGet, fx.base+"/kinerja/32.73?lang=id", nil)
		req.Header.Set("If-None-Match", etag)
		resp, err = client.Do(req)
		require.NoError(t, err)
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusNotModified, resp.StatusCode)
		require.Zero(t, n)

		req, _ = http.NewRequest(http.MethodGet, fx.base+"/kinerja/32.73?lang=en", nil)
		req.Header.Set("If-None-Match", etag)
		resp, err = client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "the English page is another body")

		resp, err = client.Get(fx.base + "/kerja")
		require.NoError(t, err)
		resp.Body.Close()
		require.NotContains(t, resp.Header.Get("Cache-Control"), "public", "workspace pages are not cached")
		require.Empty(t, resp.Header.Get("ETag"))
	})

	t.Run("axe-core finds no serious or critical violations", func(t *testing.T) {
		script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "axe", "axe.min.js"))
		require.NoError(t, err)
		ctx, _ := siteBrowser(t, 1280, 900)
		require.NoError(t, chromedp.Run(ctx, page.SetBypassCSP(true)))
		impacts := []string{"critical", "serious", "moderate", "minor"}
		var summary []string
		var bad []string
		for _, lang := range []string{"id", "en"} {
			for _, p := range pages {
				var raw json.RawMessage
				err := chromedp.Run(ctx,
					chromedp.Navigate(fx.base+withLangParam(p.path, lang)), chromedp.WaitReady("main"),
					chromedp.Evaluate(string(script), nil),
					chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations']}).then(r => ({violations: r.violations}))`, &raw,
						func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
				)
				require.NoError(t, err, p.name)
				var res axeResult
				require.NoError(t, json.Unmarshal(raw, &res))
				counts := map[string]int{}
				for _, v := range res.Violations {
					counts[v.Impact] += len(v.Nodes)
					if v.Impact == "serious" || v.Impact == "critical" {
						bad = append(bad, fmt.Sprintf("%s (%s): %s [%s] %s ×%d %v", p.name, lang, v.ID, v.Impact, v.Help, len(v.Nodes), v.Nodes[0].Target))
					}
				}
				line := fmt.Sprintf("%-24s %s", p.name, lang)
				for _, im := range impacts {
					line += fmt.Sprintf("  %s=%d", im, counts[im])
				}
				summary = append(summary, line)
			}
		}
		t.Logf("axe-core 4.10.2 (WCAG 2.x A/AA rules and best practices), nodes with violations per page:\n%s", strings.Join(summary, "\n"))
		require.Empty(t, bad)
	})
}
