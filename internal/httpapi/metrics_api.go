package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
)

// MetricsAPI serves the published performance figures, read from roll-ups
// (methodology: package metrics; README "Metrics").
type MetricsAPI struct {
	svc *metrics.Service
	log *slog.Logger
}

// Register adds the metrics routes.
func (h *MetricsAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/agencies/:code/metrics", h.agency)
	rg.GET("/agencies/:code/trend", h.trend)
	rg.GET("/agencies/:code/overdue", h.list(domain.VerdictOverdue))
	rg.GET("/agencies/:code/at-risk", h.list(domain.VerdictAtRisk))
	rg.GET("/leaderboard", h.leaderboard)
}

// boolQuery reads a true/false parameter with a default.
func boolQuery(c *gin.Context, name string, def bool) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, domain.Invalid(name, "must be true or false")
	}
	return b, nil
}

// intQuery reads a whole-number parameter within [lo, hi].
func intQuery(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, domain.Invalidf(name, "must be a number from %d to %d", lo, hi)
	}
	return n, nil
}

func (h *MetricsAPI) agency(c *gin.Context) {
	subtree, err := boolQuery(c, "subtree", true)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	within, err := intQuery(c, "within", -1, 0, 10000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	f, err := h.svc.AgencyMetrics(c.Request.Context(), c.Param("code"), c.Query("period"), subtree, within)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, f)
}

func (h *MetricsAPI) leaderboard(c *gin.Context) {
	limit, offset, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	q := metrics.BoardQuery{Parent: c.Query("parent"), Period: c.Query("period"), Sort: c.Query("sort"), Limit: limit, Offset: offset}
	switch c.DefaultQuery("order", "desc") {
	case "desc":
		q.Desc = true
	case "asc":
	default:
		Abort(c, h.log, domain.Invalid("order", "asc or desc"))
		return
	}
	b, err := h.svc.Leaderboard(c.Request.Context(), q)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		metrics.Board
		Limit  int `json:"limit"`
		Offset int `json:"offset"`
	}{b, limit, offset})
}

func (h *MetricsAPI) trend(c *gin.Context) {
	months, err := intQuery(c, "months", 12, 1, 120)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	subtree, err := boolQuery(c, "subtree", true)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	metric := c.DefaultQuery("metric", "first_response_on_time")
	pts, err := h.svc.Trend(c.Request.Context(), c.Param("code"), metric, months, subtree)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"agency_code": c.Param("code"), "metric": metric, "subtree": subtree, "points": pts})
}

func (h *MetricsAPI) list(v domain.Verdict) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, offset, err := pagination(c, 50, 500)
		if err != nil {
			Abort(c, h.log, err)
			return
		}
		subtree, err := boolQuery(c, "subtree", true)
		if err != nil {
			Abort(c, h.log, err)
			return
		}
		items, total, err := h.svc.Overdue(c.Request.Context(), c.Param("code"), v, subtree, limit, offset)
		if err != nil {
			Abort(c, h.log, err)
			return
		}
		if items == nil {
			items = []metrics.OverdueLine{}
		}
		c.JSON(http.StatusOK, Page[metrics.OverdueLine]{Items: items, Total: total, Limit: limit, Offset: offset})
	}
}
