package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/open311"
)

// Open311API serves the read side of Open311 GeoReport v2 at /open311/v2:
// services, service definitions and service requests in JSON and XML, with
// errors in the spec's own format (not the /api/v1 error body).
type Open311API struct {
	svc     *open311.Service
	log     *slog.Logger
	limiter *Limiter
}

// NewOpen311API builds the handler; limiter bounds request listings per
// client (they read up to 1 000 complaints).
func NewOpen311API(svc *open311.Service, log *slog.Logger, limiter *Limiter) *Open311API {
	return &Open311API{svc: svc, log: log, limiter: limiter}
}

// Register adds the GeoReport v2 routes.
func (h *Open311API) Register(r gin.IRouter) {
	g := r.Group("/open311/v2")
	for _, f := range []open311.Format{open311.JSON, open311.XML} {
		g.GET("/services."+string(f), h.services(f))
		g.GET("/requests."+string(f), h.limit(f), h.requests(f))
	}
	g.GET("/services/:file", h.definition)
	g.GET("/requests/:file", h.request)
}

// limit is RateLimit with the answer in the spec's error format.
func (h *Open311API) limit(f open311.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := h.limiter.Allow(clientKey(c))
		if ok {
			c.Next()
			return
		}
		secs := max(1, int(math.Ceil(wait.Seconds())))
		c.Header("Retry-After", strconv.Itoa(secs))
		h.render(c, http.StatusTooManyRequests, f, []open311.Error{{Code: http.StatusTooManyRequests,
			Description: "too many requests from this client; retry after " + strconv.Itoa(secs) + " s"}})
		c.Abort()
	}
}

// fail renders err as a GeoReport error list with a matching status.
// Unexpected errors are logged and answered generically.
func (h *Open311API) fail(c *gin.Context, f open311.Format, err error) {
	status, desc := http.StatusInternalServerError, "internal error"
	switch {
	case errors.Is(err, domain.ErrNotFound):
		status, desc = http.StatusNotFound, err.Error()
	case errors.Is(err, domain.ErrInvalid):
		status, desc = http.StatusBadRequest, err.Error()
		var ve *domain.ValidationError
		if errors.As(err, &ve) && len(ve.Details) > 0 {
			desc = ve.Details[0].Field + ": " + ve.Details[0].Reason
		}
	case errors.Is(err, domain.ErrUnavailable):
		status, desc = http.StatusServiceUnavailable, "the database is unavailable; retry shortly"
		c.Header("Retry-After", "5")
	default:
		h.log.ErrorContext(c.Request.Context(), "open311 request failed", "err", err, "route", c.FullPath())
		desc = "internal error; quote the request id " + c.Writer.Header().Get(requestIDHeader) + " when reporting it"
	}
	h.render(c, status, f, []open311.Error{{Code: status, Description: desc}})
}

func (h *Open311API) render(c *gin.Context, status int, f open311.Format, v any) {
	b, err := open311.Encode(f, v)
	if err != nil {
		h.log.ErrorContext(c.Request.Context(), "open311 encode", "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(status, f.ContentType(), b)
}

// jurisdiction validates jurisdiction_id; false means the error is sent.
func (h *Open311API) jurisdiction(c *gin.Context, f open311.Format) bool {
	if err := h.svc.CheckJurisdiction(c.Query("jurisdiction_id")); err != nil {
		h.fail(c, f, err)
		return false
	}
	return true
}

// splitFile reads "CODE.json" / "CODE.xml"; an unknown extension is not found.
func splitFile(file string) (string, open311.Format, error) {
	dot := strings.LastIndexByte(file, '.')
	if dot > 0 {
		if f, ok := open311.ParseFormat(file[dot+1:]); ok {
			return file[:dot], f, nil
		}
	}
	return "", open311.JSON, fmt.Errorf("%q: the resource must end in .json or .xml: %w", file, domain.ErrNotFound)
}

func (h *Open311API) services(f open311.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !h.jurisdiction(c, f) {
			return
		}
		list, err := h.svc.Services(c.Request.Context())
		if err != nil {
			h.fail(c, f, err)
			return
		}
		h.render(c, http.StatusOK, f, list)
	}
}

func (h *Open311API) definition(c *gin.Context) {
	code, f, err := splitFile(c.Param("file"))
	if err != nil {
		h.fail(c, f, err)
		return
	}
	if !h.jurisdiction(c, f) {
		return
	}
	d, err := h.svc.Definition(c.Request.Context(), code)
	if err != nil {
		h.fail(c, f, err)
		return
	}
	h.render(c, http.StatusOK, f, d)
}

func (h *Open311API) requests(f open311.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !h.jurisdiction(c, f) {
			return
		}
		q, err := open311.ParseRequestQuery(c.Request.URL.Query(), h.svc.Now())
		if err != nil {
			h.fail(c, f, err)
			return
		}
		list, err := h.svc.Requests(c.Request.Context(), q)
		if err != nil {
			h.fail(c, f, err)
			return
		}
		h.render(c, http.StatusOK, f, list)
	}
}

func (h *Open311API) request(c *gin.Context) {
	id, f, err := splitFile(c.Param("file"))
	if err != nil {
		h.fail(c, f, err)
		return
	}
	if !h.jurisdiction(c, f) {
		return
	}
	list, err := h.svc.Request(c.Request.Context(), id)
	if err != nil {
		h.fail(c, f, err)
		return
	}
	h.render(c, http.StatusOK, f, list)
}
