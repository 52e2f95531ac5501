package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/store"
)

// JobAPI serves /api/v1/jobs: each scheduled job's state, its recent runs,
// and an admin's manual run.
type JobAPI struct {
	svc *jobs.Runner
	log *slog.Logger
}

// Register adds the job routes.
func (h *JobAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/jobs", h.list)
	rg.GET("/jobs/:name/runs", h.runs)
	rg.POST("/jobs/:name/run", h.run)
}

func (h *JobAPI) list(c *gin.Context) {
	sts, err := h.svc.Statuses(c.Request.Context(), principal(c))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"replica": h.svc.Replica(), "items": sts})
}

func (h *JobAPI) runs(c *gin.Context) {
	limit, _, err := pagination(c, 50, 500)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	runs, err := h.svc.Runs(c.Request.Context(), principal(c), c.Param("name"), limit)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if runs == nil {
		runs = []store.JobRun{}
	}
	c.JSON(http.StatusOK, gin.H{"items": runs})
}

// run starts a manual run in the background and answers 202 with its
// record; GET /api/v1/jobs/{name}/runs shows how it ends.
func (h *JobAPI) run(c *gin.Context) {
	name := c.Param("name")
	run, err := h.svc.Trigger(c.Request.Context(), principal(c), name)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", "/api/v1/jobs/"+name+"/runs")
	c.JSON(http.StatusAccepted, run)
}
