package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/httpapi"
)

type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

func unit(code string) string {
	return `{"code":"` + code + `","kind":"opd","name":"Dinas Uji","parent_code":"32.04"}`
}

func TestWriteRateLimitPerToken(t *testing.T) {
	clk := &stepClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	o := newOpsRouter(t, true, func(d *httpapi.Deps) { d.WriteLimiter = httpapi.NewLimiter(2, clk.now) })
	ops, other := o.token(t, "ops"), o.token(t, "other")

	require.Equal(t, http.StatusCreated, o.do("POST", "/api/v1/agencies", ops, unit("32.04.A")).Code)
	require.Equal(t, http.StatusOK, o.do("PUT", "/api/v1/agencies/32.04.A", ops, unit("32.04.A")).Code)
	w := o.do("POST", "/api/v1/agencies", ops, unit("32.04.B"))
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "30", w.Header().Get("Retry-After"), "2/min: one token every 30 s")
	require.Equal(t, "rate_limited", decodeErr(t, w).Error.Code)
	require.Equal(t, http.StatusNotFound, o.do("GET", "/api/v1/agencies/32.04.B", "", "").Code, "the refused write did not happen")

	for range 5 {
		require.Equal(t, http.StatusOK, o.do("GET", "/api/v1/agencies/32.04.A", ops, "").Code, "reads are not limited")
	}
	require.Equal(t, http.StatusCreated, o.do("POST", "/api/v1/agencies", other, unit("32.04.C")).Code, "another token has its own budget")

	clk.t = clk.t.Add(29 * time.Second)
	w = o.do("DELETE", "/api/v1/tokens/999", ops, "")
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	clk.t = clk.t.Add(time.Second)
	require.Equal(t, http.StatusCreated, o.do("POST", "/api/v1/agencies", ops, unit("32.04.B")).Code)
}

func TestWriteRateLimitByAddress(t *testing.T) {
	cases := []struct {
		name     string
		proxies  []string
		remote   [2]string // RemoteAddr of the two requesters
		xff      [2]string
		separate bool
	}{
		{"different addresses", nil, [2]string{"203.0.113.1:4000", "203.0.113.2:4000"}, [2]string{"", ""}, true},
		{"forwarded-for from an untrusted peer is ignored", nil, [2]string{"198.51.100.7:4000", "198.51.100.7:4001"}, [2]string{"203.0.113.1", "203.0.113.2"}, false},
		{"forwarded-for from a trusted proxy counts", []string{"10.0.0.0/8"}, [2]string{"10.1.1.1:4000", "10.1.1.1:4001"}, [2]string{"203.0.113.1", "203.0.113.2"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &stepClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
			gin.SetMode(gin.ReleaseMode)
			r := gin.New()
			require.NoError(t, r.SetTrustedProxies(tc.proxies))
			r.POST("/api/v1/agencies", httpapi.RateLimitWrites(httpapi.NewLimiter(1, clk.now)), func(c *gin.Context) { c.Status(http.StatusUnauthorized) })
			post := func(i int) int {
				req := httptest.NewRequest("POST", "/api/v1/agencies", nil)
				req.RemoteAddr = tc.remote[i]
				if tc.xff[i] != "" {
					req.Header.Set("X-Forwarded-For", tc.xff[i])
				}
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
				return w.Code
			}
			require.Equal(t, http.StatusUnauthorized, post(0), "within budget the request reaches the handler")
			require.Equal(t, http.StatusTooManyRequests, post(0))
			if tc.separate {
				require.Equal(t, http.StatusUnauthorized, post(1))
			} else {
				require.Equal(t, http.StatusTooManyRequests, post(1))
			}
		})
	}
}

func TestRateLimitWrapsAnyRoute(t *testing.T) {
	clk := &stepClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/open-data/complaints.csv", httpapi.RateLimit(httpapi.NewLimiter(3, clk.now)), func(c *gin.Context) { c.String(http.StatusOK, "id\n") })
	r.GET("/open-data/unlimited.csv", httpapi.RateLimit(httpapi.NewLimiter(0, clk.now)), func(c *gin.Context) { c.String(http.StatusOK, "id\n") })
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	for range 3 {
		require.Equal(t, http.StatusOK, get("/open-data/complaints.csv").Code)
	}
	w := get("/open-data/complaints.csv")
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "20", w.Header().Get("Retry-After"))
	require.JSONEq(t, `{"error":{"code":"rate_limited","message":"too many requests from this client; retry after 20 s"}}`, w.Body.String())
	for range 10 {
		require.Equal(t, http.StatusOK, get("/open-data/unlimited.csv").Code, "0 disables")
	}
}
