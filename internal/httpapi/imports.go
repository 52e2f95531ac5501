package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
)

// ImportAPI serves file uploads processed by the background import worker.
type ImportAPI struct {
	svc *ingest.Service
	log *slog.Logger
}

// Register adds the import routes: uploads on their own group (with the
// upload size limit instead of the JSON body limit), reads on rg.
func (h *ImportAPI) Register(rg, uploads *gin.RouterGroup) {
	uploads.POST("/imports", h.upload)
	rg.GET("/imports/:id", h.get)
	rg.GET("/imports/:id/rejections.csv", h.rejections)
}

// importView is a job with its progress and where its report is.
type importView struct {
	store.ImportJob
	Progress      float64 `json:"progress"` // share of the file committed, 0–1
	RejectionsURL string  `json:"rejections_url,omitempty"`
}

func viewOf(j store.ImportJob) importView {
	v := importView{ImportJob: j}
	switch {
	case j.Status == store.ImportDone:
		v.Progress = 1
	case j.Format != string(parse.FormatXLSX) && j.SizeBytes > 0:
		v.Progress = float64(j.Offset) / float64(j.SizeBytes)
	}
	if j.Counts.Rejected > 0 {
		v.RejectionsURL = fmt.Sprintf("/api/v1/imports/%d/rejections.csv", j.ID)
	}
	return v
}

// upload takes a multipart form: file (required), kind (complaints or
// events), format, sheet, source and repeated map=column=field.
func (h *ImportAPI) upload(c *gin.Context) {
	if err := c.Request.ParseMultipartForm(32 << 20); err != nil {
		Abort(c, h.log, domain.Invalidf("body", "a multipart form with a file is required: %v", err))
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		Abort(c, h.log, domain.Invalid("file", "required"))
		return
	}
	kind, err := ingest.KindFromName(c.PostForm("kind"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	var mapping parse.Mapping
	if pairs := c.PostFormArray("map"); len(pairs) > 0 {
		if mapping, err = parse.MappingFromPairs(pairs); err != nil {
			Abort(c, h.log, err)
			return
		}
	}
	f, err := fh.Open()
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	defer f.Close()
	job, err := h.svc.Enqueue(c.Request.Context(), principal(c), fh.Filename, f, ingest.FileOptions{Kind: kind,
		Format: parse.Format(c.PostForm("format")), Sheet: c.PostForm("sheet"), Source: c.PostForm("source"), Mapping: mapping})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/imports/%d", job.ID))
	c.JSON(http.StatusAccepted, viewOf(job))
}

func jobID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Invalid("id", "must be a positive number")
	}
	return id, nil
}

func (h *ImportAPI) get(c *gin.Context) {
	id, err := jobID(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	job, err := h.svc.Job(c.Request.Context(), principal(c), id)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, viewOf(job))
}

func (h *ImportAPI) rejections(c *gin.Context) {
	id, err := jobID(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if _, err := h.svc.Job(c.Request.Context(), principal(c), id); err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-rejections.csv"`, id))
	c.Status(http.StatusOK)
	if err := h.svc.WriteRejectionsCSV(c.Request.Context(), principal(c), id, c.Writer); err != nil {
		h.log.ErrorContext(c.Request.Context(), "rejections download failed", "job", id, "err", err)
	}
}
