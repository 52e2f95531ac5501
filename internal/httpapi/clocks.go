package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// ClockAPI serves the admin clock operations: on-demand recompute and sweep.
type ClockAPI struct {
	svc *clocks.Service
	log *slog.Logger
}

// Register adds the clock routes.
func (h *ClockAPI) Register(rg *gin.RouterGroup) {
	rg.POST("/clocks/recompute", h.recompute)
	rg.POST("/clocks/sweep", h.sweep)
}

// recompute takes {"agency_code": "32.73"} or {"all": true}; an empty body
// recomputes the dirty complaints.
func (h *ClockAPI) recompute(c *gin.Context) {
	var sc clocks.Scope
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &sc); err != nil {
			Abort(c, h.log, err)
			return
		}
	}
	rep, err := h.svc.Recompute(c.Request.Context(), principal(c), sc)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (h *ClockAPI) sweep(c *gin.Context) {
	rep, err := h.svc.SweepNow(c.Request.Context(), principal(c))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// ClockJSON is a clock on the wire (design §5): times RFC 3339 in the
// agency's zone; Days only with ?explain=1.
type ClockJSON struct {
	Kind              domain.ClockKind    `json:"kind"`
	AgencyCode        string              `json:"agency_code"`
	Cycle             int                 `json:"cycle"`
	StartedAt         time.Time           `json:"started_at"`
	DueAt             time.Time           `json:"due_at"`
	StoppedAt         *time.Time          `json:"stopped_at"`
	LimitDays         int                 `json:"limit_days"`
	WorkingDaysUsed   int                 `json:"working_days_used"`
	PausedWorkingDays int                 `json:"paused_working_days"`
	Pauses            []domain.ClockPause `json:"pauses,omitempty"`
	Verdict           domain.Verdict      `json:"verdict"`
	PolicyVersion     string              `json:"policy_version"`
	CalendarVersion   string              `json:"calendar_version"`
	ComputedAt        time.Time           `json:"computed_at"`
	Days              []clock.Day         `json:"days,omitempty"`
}

// ClocksJSON renders stored clocks for a complaint response.
func ClocksJSON(vs []clocks.ClockView) []ClockJSON {
	out := make([]ClockJSON, len(vs))
	for i, v := range vs {
		out[i] = ClockJSON{Kind: v.Kind, AgencyCode: v.AgencyCode, Cycle: v.Cycle, StartedAt: v.StartedAt, DueAt: v.DueAt,
			StoppedAt: v.StoppedAt, LimitDays: v.LimitDays, WorkingDaysUsed: v.WorkingDaysUsed, PausedWorkingDays: v.PausedWorkingDays,
			Pauses: v.Pauses, Verdict: v.Verdict, PolicyVersion: v.PolicyVersion, CalendarVersion: v.CalendarVersion,
			ComputedAt: v.ComputedAt, Days: v.Days}
	}
	return out
}

// wantExplain reads ?explain=1 (or true).
func wantExplain(c *gin.Context) bool {
	v := c.Query("explain")
	return v == "1" || v == "true"
}
