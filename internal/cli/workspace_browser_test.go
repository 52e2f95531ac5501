package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/config"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

const workspacePassword = "correct horse battery"

// startWorkspaceServer serves the national catalogue with complaints in
// Kota Bandung (32.73, one of its units) and Kabupaten Bandung (32.04),
// their clocks computed as of now, an officer of 32.73, a supervisor of
// Jawa Barat (32) and a commitment with parties in both.
func startWorkspaceServer(t *testing.T) (string, *app) {
	t.Helper()
	cfg, err := config.Load([]string{"TANGGAP_DATA_DIR=" + t.TempDir(), "TANGGAP_LISTEN_ADDR=127.0.0.1:0", "TANGGAP_SCHEDULER_ENABLED=false"})
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, log)
	require.NoError(t, err)
	require.NoError(t, a.requireSchema(ctx, true))
	_, err = a.agencies.LoadCatalog(ctx, access.CLI())
	require.NoError(t, err)
	refs, err := a.store.AgencyRefs(ctx)
	require.NoError(t, err)
	ids := map[string]store.AgencyRef{}
	for _, r := range refs {
		ids[r.Code] = r
	}
	unit := "32.73.DPU"
	_, err = a.store.CreateAgency(ctx, domain.Agency{Code: unit, ParentCode: "32.73", Kind: domain.KindOPD, Name: "Dinas Pekerjaan Umum Kota Bandung",
		ShortName: "DPU", TimeZone: "Asia/Jakarta", Active: true})
	require.NoError(t, err)
	refs, err = a.store.AgencyRefs(ctx)
	require.NoError(t, err)
	for _, r := range refs {
		ids[r.Code] = r
	}
	now := time.Now()
	for _, c := range []struct {
		tracking, agency string
		days             int
	}{
		{"BDG-OLD", "32.73", 30}, {"BDG-LATE", unit, 14}, {"BDG-MID", unit, 6}, {"BDG-NEW", "32.73", 1},
		{"KAB-OLD", "32.04", 25}, {"KAB-NEW", "32.04", 2},
	} {
		sub := now.AddDate(0, 0, -c.days)
		cp := domain.Complaint{Source: "lapor", TrackingID: c.tracking, ReportType: domain.ReportPengaduan, SubmittedAt: sub, AgencyCode: c.agency,
			Category: "Infrastruktur", Title: "Jalan berlubang " + c.tracking}
		ref := ids[c.agency]
		m, err := a.store.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: cp, AgencyID: ref.ID, GovernmentCode: ref.GovernmentCode,
			Reporter: domain.Reporter{Name: "Warga " + c.tracking, Contact: "0812-" + c.tracking}}}, sub)
		require.NoError(t, err)
		id := m[store.ComplaintKey{Source: "lapor", TrackingID: c.tracking}]
		_, err = a.store.InsertEvents(ctx, []store.EventWrite{
			{ComplaintID: id, AgencyID: ref.ID, Event: domain.Event{Source: "lapor", TrackingID: c.tracking, EventID: "e1", Kind: domain.EventSubmitted, At: sub, AgencyCode: c.agency}},
			{ComplaintID: id, AgencyID: ref.ID, ToAgencyID: ref.ID, Event: domain.Event{Source: "lapor", TrackingID: c.tracking, EventID: "e2",
				Kind: domain.EventAssigned, At: sub.Add(time.Hour), AgencyCode: c.agency, ToAgencyCode: c.agency}},
		}, sub)
		require.NoError(t, err)
	}
	_, err = a.clocks.RecomputeAll(ctx)
	require.NoError(t, err)
	for _, u := range []workspace.NewUser{
		{Username: "siti", Role: workspace.RoleOfficer, AgencyCode: "32.73", DisplayName: "Siti Rahma", Password: workspacePassword},
		{Username: "sekda", Role: workspace.RoleSupervisor, AgencyCode: "32", DisplayName: "Biro Organisasi", Password: workspacePassword},
	} {
		_, _, err := a.workspace.CreateUser(ctx, access.CLI(), u)
		require.NoError(t, err)
	}
	_, err = a.spbe.LoadFrameworks(ctx, access.CLI())
	require.NoError(t, err)
	_, err = a.spbe.LoadPublishedResults(ctx, access.CLI())
	require.NoError(t, err)
	day := func(s string) commitments.Date { d, _ := time.Parse("2006-01-02", s); return commitments.Date{Time: d} }
	target := 4.0
	_, err = a.commitments.Create(ctx, access.CLI(), commitments.Input{Slug: "spbe-bandung-raya", Title: "Indeks SPBE Bandung Raya",
		SignedOn: day("2024-08-07"), SignatoryOffice: "Sekretariat Daerah Provinsi Jawa Barat", SignatoryName: "Sekda", LeadAgency: "32",
		Parties: []string{"32.04", "32.73", "32.77"},
		Targets: []commitments.TargetInput{{ID: "rata", Metric: "spbe_index", Scope: "group_average", BaselineAsOf: day("2023-12-31"),
			Value: &target, Direction: "at_least", Deadline: day("2026-12-31")}}})
	require.NoError(t, err)

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
		return "http://" + s, a
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

func artifactDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "testdata", "artifacts", "workspace")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
	require.NoError(t, os.WriteFile(filepath.Join(artifactDir(t), name+".png"), png, 0o644))
}

// TestBrowserWorkspace signs in as an officer of 32.73 in headless
// Chromium, checks the queue holds only that subtree ordered by due date,
// opens a complaint with the reporter's contact, is refused a 32.04
// complaint (403 and an audit row), and signs out. Screenshots of each page
// in both languages go to testdata/artifacts/workspace/.
func TestBrowserWorkspace(t *testing.T) {
	bctx := newBrowser(t)
	base, a := startWorkspaceServer(t)
	ctx := context.Background()

	var loc, body string
	signIn := func(user string) {
		require.NoError(t, chromedp.Run(bctx,
			chromedp.WaitVisible(`#username`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, workspacePassword, chromedp.ByQuery),
			chromedp.Click(`form.kerja-form button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.kerja-nav`, chromedp.ByQuery),
		))
	}
	// Not signed in: the workspace sends the browser to the sign-in page.
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/masuk?lang=en"), chromedp.WaitVisible(`#username`, chromedp.ByQuery)))
	screenshot(t, bctx, "signin-en")
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja?lang=id"), chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.Location(&loc)))
	require.Contains(t, loc, "/kerja/masuk")
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/masuk?lang=id"), chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.Text(`main h1`, &body, chromedp.ByQuery)))
	require.Equal(t, "Masuk ke ruang kerja", strings.TrimSpace(body))
	screenshot(t, bctx, "signin-id")
	signIn("siti")

	// The queue: only 32.73 and its unit, in due-date order.
	var rows []map[string]string
	require.NoError(t, chromedp.Run(bctx, chromedp.WaitVisible(`table.queue`, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('tr[data-due]')).map(r => ({due: r.dataset.due, tracking: r.dataset.tracking, agency: r.dataset.agency}))`, &rows),
		chromedp.Text(`main`, &body, chromedp.ByQuery)))
	require.NotEmpty(t, rows)
	var dues []string
	seen := map[string]bool{}
	for _, r := range rows {
		require.True(t, r["agency"] == "32.73" || strings.HasPrefix(r["agency"], "32.73."), "row of %s in the 32.73 queue", r["agency"])
		dues = append(dues, r["due"])
		seen[r["tracking"]] = true
	}
	require.True(t, sort.StringsAreSorted(dues), "ordered by due date: %v", dues)
	for _, tr := range []string{"BDG-OLD", "BDG-LATE", "BDG-MID", "BDG-NEW"} {
		require.True(t, seen[tr], "%s is in the queue", tr)
	}
	require.False(t, seen["KAB-OLD"] || seen["KAB-NEW"])
	require.Contains(t, body, "Melewati tenggat")
	screenshot(t, bctx, "queue-id")
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja?lang=en"), chromedp.WaitVisible(`table.queue`, chromedp.ByQuery),
		chromedp.Text(`main h1`, &body, chromedp.ByQuery)))
	require.Equal(t, "Deadline queue", strings.TrimSpace(body))
	screenshot(t, bctx, "queue-en")

	// Open a complaint: the reporter's contact is shown and the view logged.
	var contact string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja?lang=id"), chromedp.WaitVisible(`table.queue`, chromedp.ByQuery),
		chromedp.Click(`tr[data-tracking="BDG-LATE"] a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#reporter-contact`, chromedp.ByQuery),
		chromedp.Text(`#reporter-contact`, &contact, chromedp.ByQuery), chromedp.Location(&loc)))
	require.Equal(t, "0812-BDG-LATE", strings.TrimSpace(contact))
	require.Regexp(t, regexp.MustCompile(`/kerja/aduan/lapor/BDG-LATE#clock-`), loc, "the queue links to the explained deadline")
	screenshot(t, bctx, "complaint-id")
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/aduan/lapor/BDG-LATE?lang=en"), chromedp.WaitVisible(`#reporter-contact`, chromedp.ByQuery)))
	screenshot(t, bctx, "complaint-en")
	logged, total, err := a.workspace.ReporterAccessLog(ctx, access.CLI(), store.ReporterAccessFilter{TrackingID: "BDG-LATE"})
	require.NoError(t, err)
	require.EqualValues(t, 2, total, "both views are in the reporter access log")
	require.Contains(t, logged[0].Actor, "siti")

	// A Kabupaten Bandung complaint is refused, with an audit row.
	var heading string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/aduan/lapor/KAB-OLD?lang=en"), chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
		chromedp.Text(`main h1`, &heading, chromedp.ByQuery), chromedp.Text(`main`, &body, chromedp.ByQuery)))
	require.Equal(t, "You are not allowed to open this page", strings.TrimSpace(heading))
	require.NotContains(t, body, "0812-KAB-OLD")
	denied, _, err := a.store.ListAudit(ctx, store.AuditFilter{Entity: "complaint", EntityKey: "lapor/KAB-OLD"})
	require.NoError(t, err)
	require.Len(t, denied, 1)
	require.Equal(t, "deny", denied[0].Action)
	require.Contains(t, denied[0].Actor, "siti")

	// The supervisor view as the officer (32.73 is a party).
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/komitmen?lang=id"), chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
		chromedp.Text(`main`, &body, chromedp.ByQuery)))
	require.Contains(t, body, "Indeks SPBE Bandung Raya")

	// Sign out: the session is gone.
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Click(`nav.kerja-nav form.inline button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.Navigate(base+"/kerja"), chromedp.WaitVisible(`#username`, chromedp.ByQuery), chromedp.Location(&loc)))
	require.Contains(t, loc, "/kerja/masuk")

	// The supervisor of Jawa Barat: the commitments view in both languages.
	signIn("sekda")
	for _, lang := range []string{"id", "en"} {
		require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/komitmen?lang="+lang), chromedp.WaitVisible(`section.commitment`, chromedp.ByQuery),
			chromedp.Text(`main`, &body, chromedp.ByQuery)))
		require.Contains(t, body, "32.04")
		require.Contains(t, body, "32.73")
		screenshot(t, bctx, "supervisor-"+lang)
	}
	// A supervisor reads the complaint without the reporter's contact.
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(base+"/kerja/aduan/lapor/KAB-OLD?lang=id"), chromedp.WaitVisible(`#reporter`, chromedp.ByQuery),
		chromedp.Text(`main`, &body, chromedp.ByQuery)))
	require.NotContains(t, body, "0812-KAB-OLD")

	t.Run("a form without a valid CSRF token is refused", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// The sign-in form itself needs its token.
		resp, err := hc.PostForm(base+"/kerja/masuk", url.Values{"username": {"siti"}, "password": {workspacePassword}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		// Sign in properly.
		resp, err = hc.Get(base + "/kerja/masuk")
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tok := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
		require.NotNil(t, tok)
		resp, err = hc.PostForm(base+"/kerja/masuk", url.Values{"username": {"siti"}, "password": {workspacePassword}, "csrf_token": {string(tok[1])}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "tanggap_session" {
				session = c
			}
		}
		require.NotNil(t, session)
		require.True(t, session.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, session.SameSite)
		for _, token := range []string{"", "forged"} {
			resp, err = hc.PostForm(base+"/kerja/keluar-semua", url.Values{"csrf_token": {token}})
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusForbidden, resp.StatusCode, "token %q", token)
		}
		resp, err = hc.Get(base + "/kerja")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "the refused request did not sign out")
		// A direct request for the other city's complaint: 403.
		resp, err = hc.Get(base + "/kerja/aduan/lapor/KAB-NEW")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	})
}
