package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

const commitmentBody = `{"slug":"bandung-spbe","title":"Indeks SPBE Kota Bandung","signed_on":"2024-08-07",
 "signatory_office":"Wali Kota Bandung","lead_agency":"32.73","parties":["32.73"],
 "targets":[{"id":"indeks","metric":"spbe_index","scope":"single","baseline":3.98,"baseline_as_of":"2023-12-31",
  "value":4.5,"direction":"increase","deadline":"2025-12-31"}]}`

func TestCommitmentAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		rec := audit.NewRecorder(st, log, time.Now)
		acc := access.NewService(st, rec, time.Now)
		ag := agencies.NewService(st, acc, rec)
		_, err := ag.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		svc := commitments.NewService(st, acc, rec, ag, commitments.Options{Log: log})
		router, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Commitments: svc, MaxBodyBytes: 1 << 20})
		require.NoError(t, err)
		tok := func(role access.Role, agency string) string {
			s, _, err := acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: string(role) + agency, Role: role, AgencyCode: agency})
			require.NoError(t, err)
			return s
		}
		do := func(method, path, token, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			router.ServeHTTP(w, req)
			return w
		}
		bogor, bandung, reader := tok(access.RoleAgency, "32.01"), tok(access.RoleAgency, "32.73"), tok(access.RoleReader, "")

		cases := []struct {
			name, token string
			want        int
		}{
			{"anonymous", "", http.StatusUnauthorized},
			{"reader", reader, http.StatusForbidden},
			{"another regency", bogor, http.StatusForbidden},
			{"the signing agency", bandung, http.StatusCreated},
			{"again", bandung, http.StatusConflict},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := do("POST", "/api/v1/commitments", tc.token, commitmentBody)
				require.Equal(t, tc.want, w.Code, w.Body.String())
			})
		}

		w := do("PUT", "/api/v1/commitments/bandung-spbe", bogor, strings.Replace(commitmentBody, `"value":4.5`, `"value":4.6`, 1))
		require.Equal(t, http.StatusForbidden, w.Code)
		revised := strings.Replace(commitmentBody, `"value":4.5`, `"value":4.6`, 1)
		revised = strings.Replace(revised, `"slug":"bandung-spbe",`, `"slug":"bandung-spbe","effective_from":"2025-01-01","change_note":"dinaikkan",`, 1)
		w = do("PUT", "/api/v1/commitments/bandung-spbe", bandung, revised)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var v struct {
			Version int      `json:"version"`
			Changes []string `json:"changes"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v))
		require.Equal(t, 2, v.Version)
		require.Equal(t, []string{"target indeks value: 4.5 → 4.6"}, v.Changes)

		// Public read: both versions; the one in force depends on the date asked.
		for _, tc := range []struct {
			at      string
			version int
			value   float64
		}{{"2024-12-31", 1, 4.5}, {"2025-01-01", 2, 4.6}} {
			w = do("GET", "/api/v1/commitments/bandung-spbe?at="+tc.at, "", "")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var got struct {
				Versions []json.RawMessage `json:"versions"`
				Progress struct {
					Commitment struct {
						Version int `json:"version"`
					} `json:"commitment"`
					Targets []struct {
						Target struct {
							Value float64 `json:"value"`
						} `json:"target"`
						Status string `json:"status"`
					} `json:"targets"`
				} `json:"progress"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
			require.Len(t, got.Versions, 2)
			require.Equal(t, tc.version, got.Progress.Commitment.Version)
			require.InDelta(t, tc.value, got.Progress.Targets[0].Target.Value, 0)
			require.Equal(t, "no_data", got.Progress.Targets[0].Status, "no index source in this test")
		}

		w = do("GET", "/api/v1/commitments?party=32.73", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		require.Contains(t, w.Body.String(), `"bandung-spbe"`)
		w = do("GET", "/api/v1/commitments/none", "", "")
		require.Equal(t, http.StatusNotFound, w.Code)

		w = do("POST", "/api/v1/commitments/bandung-spbe/withdraw", "", `{"note":"x"}`)
		require.Equal(t, http.StatusUnauthorized, w.Code)
		w = do("POST", "/api/v1/commitments/bandung-spbe/withdraw", bandung, `{"note":"diganti","effective_from":"2025-06-01"}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), `"status":"withdrawn"`)
		w = do("GET", "/api/v1/commitments", "", "")
		require.NotContains(t, w.Body.String(), `"bandung-spbe"`, "withdrawn commitments are listed only on request")
		w = do("GET", "/api/v1/commitments?withdrawn=true", "", "")
		require.Contains(t, w.Body.String(), `"bandung-spbe"`)

		w = do("GET", "/api/v1/commitments/bandung-spbe/deliveries", "", "")
		require.Equal(t, http.StatusUnauthorized, w.Code)
	})
}
