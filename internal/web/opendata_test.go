package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/web"
)

type noAgencies struct{}

func (noAgencies) Get(_ context.Context, code string) (domain.Agency, error) {
	return domain.Agency{}, domain.ErrNotFound
}
func (noAgencies) Children(context.Context, string) ([]domain.Agency, error) { return nil, nil }
func (noAgencies) ChildCounts(context.Context, string, ...domain.AgencyKind) (map[string]int64, error) {
	return nil, nil
}

func TestOpenDataPage(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := web.NewEngine(web.LangID, log)
	require.NoError(t, err)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cat := opendata.NewService(nil, time.Now, "")
	web.NewSite(eng, noAgencies{}, log).WithOpenData(cat).Register(r)
	cases := []struct {
		lang, title, meaning string
	}{
		{"id", "Data terbuka", "Nomor pelacakan di sistem asal"},
		{"en", "Open data", "Tracking number in the source system"},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/data?lang="+tc.lang, nil))
			require.Equal(t, http.StatusOK, w.Code)
			body := w.Body.String()
			require.Contains(t, body, "<h1>"+tc.title+"</h1>")
			require.Contains(t, body, tc.meaning)
			for _, ds := range cat.Datasets() {
				require.Contains(t, body, `id="`+ds.Name+`"`)
				require.Contains(t, body, `href="`+opendata.DictionaryPath(ds.Name)+`"`)
				require.Contains(t, body, `href="`+ds.Licence.URL+`" rel="license"`)
				for _, f := range ds.Formats {
					require.Contains(t, body, `href="`+opendata.DownloadPath(ds.Name, f)+`"`)
				}
			}
			require.Contains(t, body, "CC-BY-4.0")
			require.Contains(t, body, "CC0-1.0")
			require.True(t, strings.Contains(body, "/open311/v2/requests.xml"))
		})
	}
}
