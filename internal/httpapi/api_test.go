package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type harness struct {
	t      *testing.T
	engine *gin.Engine
	store  *store.Store
	access *access.Service
	logs   *bytes.Buffer
}

func newHarness(t *testing.T, st *store.Store) *harness {
	t.Helper()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	_, err := ag.LoadCatalog(context.Background(), access.CLI())
	require.NoError(t, err)
	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag,
		Health: health.NewChecker(st), MaxBodyBytes: 4096})
	require.NoError(t, err)
	engine.GET("/api/v1/test-panic", func(*gin.Context) { panic("boom") })
	return &harness{t: t, engine: engine, store: st, access: acc, logs: logs}
}

func (h *harness) token(role access.Role, agency string) string {
	secret, _, err := h.access.CreateToken(context.Background(), access.CLI(), access.NewToken{Name: string(role) + agency, Role: role, AgencyCode: agency})
	require.NoError(h.t, err)
	return secret
}

func (h *harness) do(method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.engine.ServeHTTP(w, req)
	return w
}

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

func decodeErr(t *testing.T, w *httptest.ResponseRecorder) errBody {
	t.Helper()
	var b errBody
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &b), w.Body.String())
	require.NotEmpty(t, b.Error.Code)
	return b
}

func TestAgencyWritesNeedScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		admin := h.token(access.RoleAdmin, "")
		bandung := h.token(access.RoleAgency, "32.73")
		reader := h.token(access.RoleReader, "")
		unitUnder := func(code, parent string) string {
			return `{"code":"` + code + `","kind":"opd","name":"Dinas Uji","parent_code":"` + parent + `"}`
		}

		w := h.do("POST", "/api/v1/agencies", "", unitUnder("32.04.UJI", "32.04"))
		require.Equal(t, http.StatusUnauthorized, w.Code)
		require.Equal(t, "unauthorized", decodeErr(t, w).Error.Code)
		require.Contains(t, w.Header().Get("WWW-Authenticate"), "Bearer")

		w = h.do("POST", "/api/v1/agencies", bandung, unitUnder("32.04.UJI", "32.04"))
		require.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
		require.Equal(t, "forbidden", decodeErr(t, w).Error.Code)

		w = h.do("POST", "/api/v1/agencies", reader, unitUnder("32.04.UJI", "32.04"))
		require.Equal(t, http.StatusForbidden, w.Code)

		w = h.do("POST", "/api/v1/agencies", "tgp_notarealtoken", unitUnder("32.04.UJI", "32.04"))
		require.Equal(t, http.StatusUnauthorized, w.Code)

		w = h.do("POST", "/api/v1/agencies", admin, unitUnder("32.04.UJI", "32.04"))
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		require.Equal(t, "/api/v1/agencies/32.04.UJI", w.Header().Get("Location"))

		w = h.do("POST", "/api/v1/agencies", bandung, unitUnder("32.73.UJI", "32.73"))
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

		// The admin write left an audit row, readable by admins only.
		w = h.do("GET", "/api/v1/audit?entity=agency&key=32.04.UJI", admin, "")
		require.Equal(t, http.StatusOK, w.Code)
		var page struct {
			Items []store.AuditEntry `json:"items"`
			Total int64              `json:"total"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
		require.EqualValues(t, 1, page.Total)
		require.Equal(t, "create", page.Items[0].Action)
		require.Contains(t, page.Items[0].Actor, "admin")
		require.Contains(t, *page.Items[0].After, `"code":"32.04.UJI"`)
		require.NotEmpty(t, page.Items[0].RequestID)
		require.Equal(t, http.StatusForbidden, h.do("GET", "/api/v1/audit", bandung, "").Code)
		require.Equal(t, http.StatusUnauthorized, h.do("GET", "/api/v1/audit", "", "").Code)

		// Update and move inside the subtree; codes cannot change.
		w = h.do("PUT", "/api/v1/agencies/32.73.UJI", bandung, `{"kind":"opd","name":"Dinas Uji Baru","parent_code":"32.73"}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), "Dinas Uji Baru")
		w = h.do("PUT", "/api/v1/agencies/32.73.UJI", bandung, `{"code":"X","kind":"opd","name":"x","parent_code":"32.73"}`)
		require.Equal(t, http.StatusUnprocessableEntity, w.Code)
		w = h.do("PUT", "/api/v1/agencies/32.73", admin, `{"kind":"kota","name":"Kota Bandung","parent_code":"32.73.UJI"}`)
		require.Equal(t, http.StatusUnprocessableEntity, w.Code, "cycle")
		require.Equal(t, "parent_code", decodeErr(t, w).Error.Details[0].Field)
	})
}

func TestAgencyReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		w := h.do("GET", "/api/v1/agencies?parent=32&limit=10", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		var page struct {
			Items []struct {
				Code string `json:"code"`
				Name string `json:"name"`
			} `json:"items"`
			Total int64 `json:"total"`
			Limit int   `json:"limit"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
		require.EqualValues(t, 27, page.Total)
		require.Len(t, page.Items, 10)
		require.Equal(t, "32.01", page.Items[0].Code)

		w = h.do("GET", "/api/v1/agencies?q=bandung&kind=kota", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
		require.EqualValues(t, 1, page.Total)
		require.Equal(t, "Kota Bandung", page.Items[0].Name)

		w = h.do("GET", "/api/v1/agencies/32", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		var one struct {
			Code     string `json:"code"`
			Children []any  `json:"children"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &one))
		require.Len(t, one.Children, 27)

		require.Equal(t, http.StatusNotFound, h.do("GET", "/api/v1/agencies/99.99", "", "").Code)
		require.Equal(t, http.StatusUnprocessableEntity, h.do("GET", "/api/v1/agencies?kind=dinas", "", "").Code)
		require.Equal(t, http.StatusUnprocessableEntity, h.do("GET", "/api/v1/agencies?limit=0", "", "").Code)
	})
}

func TestErrorsAndOperations(t *testing.T) {
	st := storetest.SQLite(t)
	h := newHarness(t, st)
	admin := h.token(access.RoleAdmin, "")

	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"empty body", "", http.StatusUnprocessableEntity, "body"},
		{"malformed", `{"code":`, http.StatusUnprocessableEntity, "body"},
		{"unknown field", `{"code":"X","colour":"red"}`, http.StatusUnprocessableEntity, "body"},
		{"wrong type", `{"code":5}`, http.StatusUnprocessableEntity, "code"},
		{"trailing data", `{"code":"X"} {}`, http.StatusUnprocessableEntity, "body"},
		{"invalid fields", `{"code":"A B","kind":"dinas","name":"","time_zone":"Mars/X"}`, http.StatusUnprocessableEntity, "code"},
		{"too large", `{"name":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := h.do("POST", "/api/v1/agencies", admin, c.body)
			require.Equal(t, c.status, w.Code, w.Body.String())
			b := decodeErr(t, w)
			if c.field != "" {
				require.NotEmpty(t, b.Error.Details, w.Body.String())
				require.Equal(t, c.field, b.Error.Details[0].Field)
			}
		})
	}

	t.Run("request id echoed or made", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-ID", "abc-123")
		w := httptest.NewRecorder()
		h.engine.ServeHTTP(w, req)
		require.Equal(t, "abc-123", w.Header().Get("X-Request-ID"))
		req.Header.Set("X-Request-ID", "bad id with spaces\n")
		w = httptest.NewRecorder()
		h.engine.ServeHTTP(w, req)
		require.Regexp(t, `^[0-9a-f]{16}$`, w.Header().Get("X-Request-ID"))
	})

	t.Run("panic becomes 500 with the error body", func(t *testing.T) {
		w := h.do("GET", "/api/v1/test-panic", "", "")
		require.Equal(t, http.StatusInternalServerError, w.Code)
		b := decodeErr(t, w)
		require.Equal(t, "internal", b.Error.Code)
		require.NotContains(t, b.Error.Message, "boom", "internal detail stays in the log")
		require.Contains(t, h.logs.String(), "boom")
	})

	t.Run("unknown API route is JSON 404, wrong method 405", func(t *testing.T) {
		w := h.do("GET", "/api/v1/nothing", "", "")
		require.Equal(t, http.StatusNotFound, w.Code)
		require.Equal(t, "not_found", decodeErr(t, w).Error.Code)
		require.Equal(t, http.StatusMethodNotAllowed, h.do("DELETE", "/api/v1/agencies", admin, "").Code)
	})

	t.Run("tokens: create, list without secrets, revoke", func(t *testing.T) {
		w := h.do("POST", "/api/v1/tokens", admin, `{"name":"ci","role":"reader","expires_in":"90d"}`)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		var created struct {
			ID        int64  `json:"id"`
			Token     string `json:"token"`
			ExpiresAt string `json:"expires_at"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &created))
		require.True(t, strings.HasPrefix(created.Token, "tgp_"))
		require.NotEmpty(t, created.ExpiresAt)
		w = h.do("GET", "/api/v1/tokens", admin, "")
		require.Equal(t, http.StatusOK, w.Code)
		require.NotContains(t, w.Body.String(), created.Token)
		require.NotContains(t, w.Body.String(), access.HashSecret(created.Token))
		require.Equal(t, http.StatusForbidden, h.do("GET", "/api/v1/tokens", created.Token, "").Code, "readers cannot list tokens")
		w = h.do("DELETE", "/api/v1/tokens/"+strconv.FormatInt(created.ID, 10), admin, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Equal(t, http.StatusUnauthorized, h.do("GET", "/api/v1/agencies", created.Token, "").Code, "a revoked token is refused")
	})

	t.Run("readiness follows the database", func(t *testing.T) {
		w := h.do("GET", "/readyz", "", "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), `"ready":true`)
		require.NoError(t, st.Close())
		w = h.do("GET", "/readyz", "", "")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		require.Contains(t, w.Body.String(), "database unreachable")
		require.Equal(t, http.StatusOK, h.do("GET", "/healthz", "", "").Code, "liveness does not depend on the database")
	})
}
