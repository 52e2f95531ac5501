package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/telemetry"
)

// Instrument records every request's method, route template and status in
// m. The template (c.FullPath) keeps the label set bounded: a raw path
// would make one series per complaint. A nil m records nothing.
func Instrument(m *telemetry.Metrics) gin.HandlerFunc {
	if m == nil {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		m.ObserveHTTP(c.Request.Method, c.FullPath(), c.Writer.Status(), time.Since(start))
	}
}

// MetricsEndpoint serves the Prometheus registry. With a non-empty token
// the scraper must send "Authorization: Bearer <token>".
func MetricsEndpoint(m *telemetry.Metrics, token string, log *slog.Logger) gin.HandlerFunc {
	h := m.Handler()
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		if token != "" {
			scheme, got, _ := strings.Cut(c.GetHeader("Authorization"), " ")
			// Comparing digests keeps the comparison constant-time in the
			// length of the secret as well as its content.
			sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				Abort(c, log, fmt.Errorf("metrics need the configured bearer token: %w", domain.ErrUnauthorized))
				return
			}
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}
