package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/requestid"
)

const requestIDHeader = "X-Request-ID"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RequestID takes a well-formed incoming X-Request-ID or makes one, echoes
// it and puts it in the request context for logs and audit rows.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		c.Header(requestIDHeader, id)
		c.Request = c.Request.WithContext(requestid.With(c.Request.Context(), id))
		c.Next()
	}
}

// AccessLog writes one structured line per request. It logs the route
// template and path but never the query string or body, which may carry
// personal data.
func AccessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		log.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("request_id", requestid.From(c.Request.Context())),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// Recover turns a panic into a logged 500 with the standard error body.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(r), "route", c.FullPath(),
					"request_id", requestid.From(c.Request.Context()))
				if !c.Writer.Written() {
					Abort(c, log, fmt.Errorf("panic: %v", r))
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}

// LimitBody caps request bodies; reading past the cap fails with a
// MaxBytesError that Abort maps to 413.
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// Authenticate reads a bearer token, if any. A bad token is refused at once;
// no token leaves the request anonymous (public reads stay open).
func Authenticate(acc *access.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		if h == "" {
			c.Next()
			return
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			Abort(c, log, fmt.Errorf("authorization header must be \"Bearer <token>\": %w", domain.ErrUnauthorized))
			return
		}
		p, err := acc.Authenticate(c.Request.Context(), strings.TrimSpace(secret))
		if err != nil {
			Abort(c, log, err)
			return
		}
		c.Request = c.Request.WithContext(access.WithPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

func principal(c *gin.Context) access.Principal { return access.PrincipalFrom(c.Request.Context()) }
