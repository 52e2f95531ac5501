package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type jobsJSON struct {
	Replica string        `json:"replica"`
	Items   []jobs.Status `json:"items"`
}

func TestJobAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		rec := audit.NewRecorder(st, log, time.Now)
		acc := access.NewService(st, rec, time.Now)
		ag := agencies.NewService(st, acc, rec)
		for _, a := range []domain.Agency{
			{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
			{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		} {
			a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
			_, err := st.CreateAgency(ctx, a)
			require.NoError(t, err)
		}
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "sla-sweep", Schedule: "*/10 * * * *", Description: "sweep", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			return jobs.Counts{"clocks": 4}, nil
		}})
		runner, err := jobs.NewRunner(st, reg, jobs.Options{Replica: "api-test", Log: log})
		require.NoError(t, err)
		t.Cleanup(func() { _ = runner.Stop(context.Background()) })
		engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Jobs: runner,
			Health: health.NewChecker(st), MaxBodyBytes: 4096})
		require.NoError(t, err)
		token := func(role access.Role, agency string) string {
			secret, _, err := acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: string(role), Role: role, AgencyCode: agency})
			require.NoError(t, err)
			return secret
		}
		admin, reader, agency := token(access.RoleAdmin, ""), token(access.RoleReader, ""), token(access.RoleAgency, "32")
		do := func(method, path, tok string) *httptest.ResponseRecorder {
			return serveJobs(engine, method, path, tok)
		}

		for _, tc := range []struct {
			name, method, path, token string
			want                      int
		}{
			{"list needs a token", http.MethodGet, "/api/v1/jobs", "", http.StatusUnauthorized},
			{"agency tokens do not see runs", http.MethodGet, "/api/v1/jobs", agency, http.StatusForbidden},
			{"reader lists", http.MethodGet, "/api/v1/jobs", reader, http.StatusOK},
			{"reader cannot run", http.MethodPost, "/api/v1/jobs/sla-sweep/run", reader, http.StatusForbidden},
			{"unknown job", http.MethodPost, "/api/v1/jobs/nope/run", admin, http.StatusNotFound},
			{"unknown job runs", http.MethodGet, "/api/v1/jobs/nope/runs", reader, http.StatusNotFound},
			{"bad limit", http.MethodGet, "/api/v1/jobs/sla-sweep/runs?limit=0", reader, http.StatusUnprocessableEntity},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := do(tc.method, tc.path, tc.token)
				require.Equal(t, tc.want, w.Code, w.Body.String())
			})
		}

		w := do(http.MethodPost, "/api/v1/jobs/sla-sweep/run", admin)
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		var started store.JobRun
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &started))
		require.True(t, started.Manual)
		require.Equal(t, "api-test", started.Replica)
		require.Equal(t, "/api/v1/jobs/sla-sweep/runs", w.Header().Get("Location"))

		var runs struct{ Items []store.JobRun }
		deadline := time.Now().Add(5 * time.Second)
		for {
			w = do(http.MethodGet, "/api/v1/jobs/sla-sweep/runs", reader)
			require.Equal(t, http.StatusOK, w.Code)
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &runs))
			if len(runs.Items) == 1 && runs.Items[0].Outcome != store.JobRunning {
				break
			}
			require.True(t, time.Now().Before(deadline), "manual run did not finish")
			time.Sleep(20 * time.Millisecond)
		}
		require.Equal(t, started.ID, runs.Items[0].ID)
		require.Equal(t, store.JobSucceeded, runs.Items[0].Outcome)
		require.Equal(t, map[string]int64{"clocks": 4}, runs.Items[0].Counts)

		w = do(http.MethodGet, "/api/v1/jobs", admin)
		require.Equal(t, http.StatusOK, w.Code)
		var list jobsJSON
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
		require.Equal(t, "api-test", list.Replica)
		require.Len(t, list.Items, 1)
		s := list.Items[0]
		require.Equal(t, "sla-sweep", s.Name)
		require.Equal(t, "*/10 * * * *", s.Schedule)
		require.True(t, s.Enabled)
		require.NotNil(t, s.NextRun)
		require.True(t, s.NextRun.After(time.Now()) && s.NextRun.Before(time.Now().Add(10*time.Minute+time.Second)))
		_, offset := s.NextRun.Zone()
		require.Equal(t, 7*3600, offset, "next run in Jakarta time")
		require.Equal(t, started.ID, s.LastRun.ID)
		require.Equal(t, started.ID, s.LastSuccess.ID)
	})
}

func serveJobs(engine *gin.Engine, method, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	return w
}
