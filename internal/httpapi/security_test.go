package httpapi_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/httpapi"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	o := newOpsRouter(t, false, nil)
	admin := o.token(t, "ops")
	cases := []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"api read", "GET", "/api/v1/agencies", "", "", http.StatusOK},
		{"api not found", "GET", "/api/v1/nope", "", "", http.StatusNotFound},
		{"api error from a handler", "POST", "/api/v1/agencies", admin, `{"code":`, http.StatusUnprocessableEntity},
		{"api unauthorized", "POST", "/api/v1/agencies", "tgp_bogus", "{}", http.StatusUnauthorized},
		{"home page", "GET", "/", "", "", http.StatusOK},
		{"page not found", "GET", "/wilayah/99", "", "", http.StatusNotFound},
		{"static file", "GET", "/static/style.css", "", "", http.StatusOK},
		{"health", "GET", "/healthz", "", "", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := o.do(tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			h := w.Header()
			require.Equal(t, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
				h.Get("Content-Security-Policy"))
			require.Equal(t, "DENY", h.Get("X-Frame-Options"))
			require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
			require.Equal(t, "strict-origin-when-cross-origin", h.Get("Referrer-Policy"))
			require.Contains(t, h.Get("Permissions-Policy"), "camera=()")
			require.Empty(t, h.Get("Strict-Transport-Security"), "plain HTTP gets no HSTS")
		})
	}
}

func TestHSTSOnlyOverTLS(t *testing.T) {
	o := newOpsRouter(t, false, func(d *httpapi.Deps) { d.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.10"} })
	cases := []struct {
		name   string
		tls    bool
		remote string
		proto  string
		want   bool
	}{
		{"direct TLS", true, "203.0.113.5:5000", "", true},
		{"plain HTTP", false, "203.0.113.5:5000", "", false},
		{"https from a trusted proxy range", false, "10.2.3.4:5000", "https", true},
		{"https from a trusted proxy address", false, "192.0.2.10:5000", "https, http", true},
		{"http from a trusted proxy", false, "10.2.3.4:5000", "http", false},
		{"https claimed by an untrusted peer", false, "203.0.113.5:5000", "https", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.RemoteAddr = tc.remote
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			got := o.send(req).Header().Get("Strict-Transport-Security")
			if tc.want {
				require.Equal(t, "max-age=31536000; includeSubDomains", got)
			} else {
				require.Empty(t, got)
			}
		})
	}
}
