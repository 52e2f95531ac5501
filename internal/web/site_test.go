package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// fakeAgencies is a small in-memory tree standing in for the agency service,
// so page rendering is tested without a database.
type fakeAgencies struct{ all []domain.Agency }

func (f fakeAgencies) Get(_ context.Context, code string) (domain.Agency, error) {
	for _, a := range f.all {
		if a.Code == code {
			return a, nil
		}
	}
	return domain.Agency{}, domain.ErrNotFound
}

func (f fakeAgencies) Children(_ context.Context, code string) ([]domain.Agency, error) {
	var out []domain.Agency
	for _, a := range f.all {
		if a.ParentCode == code {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f fakeAgencies) ChildCounts(ctx context.Context, code string, kinds ...domain.AgencyKind) (map[string]int64, error) {
	kids, _ := f.Children(ctx, code)
	out := map[string]int64{}
	for _, k := range kids {
		gk, _ := f.Children(ctx, k.Code)
		for _, g := range gk {
			if len(kinds) == 0 || slices.Contains(kinds, g.Kind) {
				out[k.Code]++
			}
		}
	}
	return out, nil
}

func testSite(t *testing.T) *gin.Engine {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := NewEngine(LangID, log)
	require.NoError(t, err)
	ag := fakeAgencies{all: []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Republik Indonesia", TimeZone: "Asia/Jakarta"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat", TimeZone: "Asia/Jakarta"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "91", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Papua <Timur>", TimeZone: "Asia/Jayapura"},
	}}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	site := NewSite(eng, ag, log)
	site.Register(r)
	r.NoRoute(site.NotFound)
	return r
}

func get(r http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func TestPages(t *testing.T) {
	r := testSite(t)
	w := get(r, "/")
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	require.Contains(t, body, `<html lang="id">`)
	require.Contains(t, body, `href="/wilayah/32"`)
	require.Contains(t, body, "2 provinsi, 2 kabupaten/kota")
	require.Contains(t, body, "Papua &lt;Timur&gt;", "names are escaped")
	require.Contains(t, body, `hreflang="en"`)
	require.Contains(t, body, "ODbL")

	w = get(r, "/wilayah/32")
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "Kota Bandung")
	require.Contains(t, w.Body.String(), "Kabupaten Bandung")

	w = get(r, "/wilayah/99")
	require.Equal(t, http.StatusNotFound, w.Code)
	require.Contains(t, w.Body.String(), "Halaman tidak ditemukan")

	require.Equal(t, http.StatusOK, get(r, "/static/style.css").Code)
	require.Equal(t, http.StatusNotFound, get(r, "/static/").Code)
	require.Equal(t, http.StatusOK, get(r, "/tentang").Code)
}

func TestLanguageSwitchPersists(t *testing.T) {
	r := testSite(t)
	w := get(r, "/?lang=en")
	require.Contains(t, w.Body.String(), `<html lang="en">`)
	require.Contains(t, w.Body.String(), "Are complaints answered on time?")
	var langCookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "lang" {
			langCookie = c
		}
	}
	require.NotNil(t, langCookie)
	w = get(r, "/wilayah/32", langCookie)
	require.Contains(t, w.Body.String(), `<html lang="en">`, "the choice is remembered")
	w = get(r, "/wilayah/32?lang=id", langCookie)
	require.Contains(t, w.Body.String(), `<html lang="id">`)
}

// TestConcurrentRendersNeverShareALanguage renders both languages at once;
// the per-request template clone must keep them apart.
func TestConcurrentRendersNeverShareALanguage(t *testing.T) {
	r := testSite(t)
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for i := 0; i < 100; i++ {
		for _, l := range []string{"id", "en"} {
			wg.Add(1)
			go func(l string) {
				defer wg.Done()
				body := get(r, "/?lang="+l).Body.String()
				want := map[string]string{"id": "Apakah aduan dijawab tepat waktu?", "en": "Are complaints answered on time?"}[l]
				if !strings.Contains(body, want) {
					errs <- l
				}
			}(l)
		}
	}
	wg.Wait()
	close(errs)
	require.Empty(t, errs)
}
