package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/web"
)

func spbeSite(t *testing.T, st *store.Store) *gin.Engine {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	_, err := ag.LoadCatalog(ctx, access.CLI())
	require.NoError(t, err)
	fws, err := spbeindex.EmbeddedFrameworks()
	require.NoError(t, err)
	svc := spbeindex.NewService(st, acc, rec, ag, fws, time.Now)
	_, err = svc.LoadPublishedResults(ctx, access.CLI())
	require.NoError(t, err)
	eng, err := web.NewEngine(web.LangID, log)
	require.NoError(t, err)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.NewSite(eng, ag, log).WithSPBE(svc).Register(r)
	return r
}

func get(t *testing.T, r *gin.Engine, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code, w.Body.String()
}

var rowRE = regexp.MustCompile(`(?s)<tr data-code="([^"]+)">(.*?)</tr>`)

func TestSPBEProvincePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := spbeSite(t, st)
		code, body := get(t, r, "/spbe/32")
		require.Equal(t, http.StatusOK, code, body)
		rows := rowRE.FindAllStringSubmatch(body, -1)
		require.Len(t, rows, 28, "the province and its 27 regencies/cities")
		cells := regexp.MustCompile(`<td class="num">([^<]*)</td>`)
		for _, row := range rows {
			nums := cells.FindAllStringSubmatch(row[2], -1)
			require.GreaterOrEqual(t, len(nums), 4, row[1])
			prev, cur := nums[1][1], nums[2][1]
			require.Regexp(t, `^\d,\d\d$`, prev, "%s has a 2023 index in Indonesian format", row[1])
			require.Regexp(t, `^\d,\d\d$`, cur, "%s has a 2024 index", row[1])
		}
		require.Equal(t, "32", rows[0][1], "the province comes first, unranked")
		bdg := ""
		for _, row := range rows {
			if row[1] == "32.73" {
				bdg = row[2]
			}
		}
		require.Contains(t, bdg, "3,98")
		require.Contains(t, bdg, "4,59")
		require.Contains(t, bdg, "+0,61")
		require.Contains(t, bdg, "Memuaskan")
		require.Contains(t, body, `data-year="2023">3,38</td>`)
		require.Contains(t, body, `data-year="2024">3,90</td>`)

		_, en := get(t, r, "/spbe/32?lang=en")
		require.Contains(t, en, `data-year="2024">3.90</td>`)
		require.Contains(t, en, "Average of the regencies and cities")

		_, y23 := get(t, r, "/spbe/32?tahun=2023")
		require.Contains(t, y23, `data-year="2023">3,38</td>`)
		require.NotContains(t, y23, `data-year="2024"`)

		for _, p := range []string{"/spbe/32.73", "/spbe/99", "/spbe/agency/32.73.XX", "/spbe/32?tahun=abc"} {
			code, _ := get(t, r, p)
			require.Equal(t, http.StatusNotFound, code, p)
		}
	})
}

func TestSPBEAgencyPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := spbeSite(t, st)
		code, body := get(t, r, "/spbe/agency/32.12")
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, "Kabupaten Indramayu")
		require.Contains(t, body, "3,53", "2023 final")
		require.Contains(t, body, "3,93", "2024 final")
		require.Contains(t, body, "Indeks per domain")
		require.Contains(t, body, "Memuaskan", "the plan aims at the next band")
		require.Contains(t, body, "dihitung per domain", "only domain indices are known: the page says so")
		require.False(t, strings.Contains(body, "[spbe."), "every key is translated")

		_, en := get(t, r, "/spbe/agency/32.12?lang=en")
		require.Contains(t, en, "3.93")
		require.Contains(t, en, "works per domain")
		require.False(t, strings.Contains(en, "[spbe."))
	})
}
