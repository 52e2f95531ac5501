package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type spbeServer struct {
	router       *gin.Engine
	admin, bdg   string // tokens: admin, agency 32.73 (Kota Bandung)
	reader       string
	spbe         *spbeindex.Service
	indicatorsNo int
}

func newSPBEServer(t *testing.T, st *store.Store) *spbeServer {
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
	s := &spbeServer{spbe: svc, indicatorsNo: len(fws[0].Framework.Indicators)}
	s.admin, _, err = acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: "admin", Role: access.RoleAdmin})
	require.NoError(t, err)
	s.bdg, _, err = acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: "bandung", Role: access.RoleAgency, AgencyCode: "32.73"})
	require.NoError(t, err)
	s.reader, _, err = acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: "reader", Role: access.RoleReader})
	require.NoError(t, err)
	s.router, err = httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, SPBE: svc, MaxBodyBytes: 1 << 20})
	require.NoError(t, err)
	return s
}

func (s *spbeServer) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.router.ServeHTTP(w, req)
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return w.Code, out
}

func levelsJSON(n, level int) string {
	var b strings.Builder
	b.WriteString(`{"levels":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"indicator":%d,"level":%d}`, i, level)
	}
	b.WriteString("]}")
	return b.String()
}

func TestSPBEAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSPBEServer(t, st)
		full4 := levelsJSON(s.indicatorsNo, 4)

		t.Run("assessment scope", func(t *testing.T) {
			cases := []struct {
				name, path, token string
				want              int
			}{
				{"no token", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment", "", http.StatusUnauthorized},
				{"agency token outside its subtree", "/api/v1/spbe/spbe-59-2020/assessments/32.04/2024/self_assessment", s.bdg, http.StatusForbidden},
				{"reader token", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment", s.reader, http.StatusForbidden},
				{"agency token on itself", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment", s.bdg, http.StatusOK},
				{"admin anywhere", "/api/v1/spbe/spbe-59-2020/assessments/32.04/2024/target", s.admin, http.StatusOK},
				{"unknown stage", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/draft", s.admin, http.StatusUnprocessableEntity},
				{"unknown framework", "/api/v1/spbe/ipd-2026/assessments/32.73/2024/final", s.admin, http.StatusNotFound},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					code, body := s.do(t, http.MethodPut, c.path, c.token, full4)
					require.Equal(t, c.want, code, body)
				})
			}
			code, body := s.do(t, http.MethodGet, "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment", s.reader, "")
			require.Equal(t, http.StatusOK, code, body)
			require.Equal(t, true, body["complete"])
			require.Equal(t, "4.00", body["result"].(map[string]any)["index"])
			code, _ = s.do(t, http.MethodGet, "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment", "", "")
			require.Equal(t, http.StatusUnauthorized, code)

			code, body = s.do(t, http.MethodPut, "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/final", s.bdg, `{"levels":[{"indicator":1,"level":9}]}`)
			require.Equal(t, http.StatusUnprocessableEntity, code)
			require.Equal(t, "level", body["error"].(map[string]any)["details"].([]any)[0].(map[string]any)["field"])
		})

		t.Run("history", func(t *testing.T) {
			code, body := s.do(t, http.MethodGet, "/api/v1/spbe/results/32.73", "", "")
			require.Equal(t, http.StatusOK, code)
			items := body["items"].([]any)
			require.Len(t, items, 3, "published 2023, 2024 and the computed self-assessment")
		})

		t.Run("simulate", func(t *testing.T) {
			levels := map[string]int{}
			for i := 1; i <= s.indicatorsNo; i++ {
				levels[fmt.Sprint(i)] = 3
			}
			levels["42"] = 5
			b, _ := json.Marshal(map[string]any{"framework": "spbe-59-2020", "levels": levels})
			code, body := s.do(t, http.MethodPost, "/api/v1/spbe/simulate", "", string(b))
			require.Equal(t, http.StatusOK, code, body)
			require.Equal(t, 3.06, body["index"], "two levels on a 3.00 % indicator")
			require.Equal(t, "Baik", body["predicate"])
			require.Len(t, body["domains"], 4)
			require.Len(t, body["aspects"], 8)

			delete(levels, "1")
			b, _ = json.Marshal(map[string]any{"levels": levels})
			code, _ = s.do(t, http.MethodPost, "/api/v1/spbe/simulate", "", string(b))
			require.Equal(t, http.StatusUnprocessableEntity, code, "a missing indicator is named, not guessed")
			code, _ = s.do(t, http.MethodPost, "/api/v1/spbe/simulate", "", `{"levels":{"x":1}}`)
			require.Equal(t, http.StatusUnprocessableEntity, code)
		})

		t.Run("recommend", func(t *testing.T) {
			code, body := s.do(t, http.MethodPost, "/api/v1/spbe/recommend", "", `{"government":"32.04","target":"3.8"}`)
			require.Equal(t, http.StatusOK, code, body)
			require.Equal(t, "domain", body["granularity"], "32.04 has only published domain values")
			require.Contains(t, body["note"], "domain granularity")

			code, body = s.do(t, http.MethodPost, "/api/v1/spbe/recommend", "", `{"government":"32.73","target":4.03,"costs":{"42":[1,1,1,1]}}`)
			require.Equal(t, http.StatusOK, code, body)
			require.Equal(t, "indicator", body["granularity"])
			require.Equal(t, "4.00", body["from"])
			require.Equal(t, true, body["by_cost"])
			moves := body["moves"].([]any)
			require.Len(t, moves, 1, "only indicator 42 has costs, so only it may move")
			require.EqualValues(t, 42, moves[0].(map[string]any)["indicator"])

			code, _ = s.do(t, http.MethodPost, "/api/v1/spbe/recommend", "", `{"government":"32.73","target":4.04,"costs":{"42":[1,1,1,1]}}`)
			require.Equal(t, http.StatusUnprocessableEntity, code, "4.04 needs more than indicator 42 can give")
			code, _ = s.do(t, http.MethodPost, "/api/v1/spbe/recommend", "", `{"government":"32.73"}`)
			require.Equal(t, http.StatusUnprocessableEntity, code)
		})

		t.Run("rankings", func(t *testing.T) {
			code, body := s.do(t, http.MethodGet, "/api/v1/spbe/rankings?province=32&year=2024", "", "")
			require.Equal(t, http.StatusOK, code, body)
			require.Len(t, body["items"], 27)
			require.Equal(t, "4.73", body["province"].(map[string]any)["index"])
			avgs := body["averages"].([]any)
			require.Equal(t, "3.38", avgs[0].(map[string]any)["mean"])
			require.Equal(t, "3.90", avgs[1].(map[string]any)["mean"])
			first := body["items"].([]any)[0].(map[string]any)
			require.EqualValues(t, 1, first["rank"])

			code, body = s.do(t, http.MethodGet, "/api/v1/spbe/rankings?kind=kabupaten,kota&year=2024", "", "")
			require.Equal(t, http.StatusOK, code)
			require.Len(t, body["items"], 523-38, "the README's 523 regional rows of 2024 less the 38 provinces")

			code, _ = s.do(t, http.MethodGet, "/api/v1/spbe/rankings?year=x&province=32", "", "")
			require.Equal(t, http.StatusUnprocessableEntity, code)
			code, _ = s.do(t, http.MethodGet, "/api/v1/spbe/rankings?province=99", "", "")
			require.Equal(t, http.StatusNotFound, code)
		})

		t.Run("frameworks", func(t *testing.T) {
			code, body := s.do(t, http.MethodGet, "/api/v1/spbe/frameworks", "", "")
			require.Equal(t, http.StatusOK, code)
			items := body["items"].([]any)
			require.Len(t, items, 1)
			require.Equal(t, "spbe-59-2020", items[0].(map[string]any)["id"])
			require.Regexp(t, `^sha256:[0-9a-f]{16}$`, items[0].(map[string]any)["version"])
		})
	})
}
