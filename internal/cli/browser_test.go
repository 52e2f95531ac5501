package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/config"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// chromiumPath finds Debian's chromium; under CI=true its absence fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if storetest.InCI() {
		t.Fatal("chromium is required under CI=true (apt-get install -y chromium)")
	}
	t.Skip("chromium not installed; apt-get install -y chromium to run browser tests")
	return ""
}

// startCatalogServer loads the national catalogue into a fresh embedded
// database and serves it on a free port until the test ends.
func startCatalogServer(t *testing.T) string {
	t.Helper()
	cfg, err := config.Load([]string{"TANGGAP_DATA_DIR=" + t.TempDir(), "TANGGAP_LISTEN_ADDR=127.0.0.1:0"})
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, log)
	require.NoError(t, err)
	require.NoError(t, a.requireSchema(ctx, true))
	_, err = a.agencies.LoadCatalog(ctx, access.CLI())
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
		return "http://" + s
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	// Not t.TempDir: Chromium's helpers may still be writing the profile
	// for a moment after the browser is cancelled, which fails its cleanup.
	profile, err := os.MkdirTemp("", "tanggap-chromium-")
	require.NoError(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// TestBrowserProvinceToRegencies loads the home page in headless Chromium,
// follows the Jawa Barat link and checks Kota Bandung is listed.
func TestBrowserProvinceToRegencies(t *testing.T) {
	ctx := newBrowser(t)
	base := startCatalogServer(t)

	var provinces int
	var title, heading, body, homeText string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`main table`),
		chromedp.Evaluate(`document.querySelectorAll('main tbody tr').length`, &provinces),
		chromedp.Title(&title),
		chromedp.Text(`main`, &homeText),
		chromedp.Click(`//a[normalize-space(text())="Jawa Barat"]`, chromedp.BySearch),
		chromedp.WaitVisible(`main h1`),
		chromedp.Text(`main h1`, &heading),
		chromedp.Text(`main`, &body),
	)
	require.NoError(t, err)
	require.Equal(t, 38, provinces)
	require.Contains(t, homeText, "38 provinsi, 514 kabupaten/kota")
	require.Contains(t, title, "Tanggap")
	require.Equal(t, "Jawa Barat", strings.TrimSpace(heading))
	require.Contains(t, body, "Kota Bandung")
	require.Contains(t, body, "Kabupaten Pangandaran")
}
