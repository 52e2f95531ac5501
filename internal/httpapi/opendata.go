package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// OpenDataAPI serves the open-data downloads under /open-data: public,
// streamed, each with its licence and data dictionary (package opendata).
type OpenDataAPI struct {
	svc     *opendata.Service
	log     *slog.Logger
	limiter *Limiter
}

// NewOpenDataAPI builds the handler; limiter bounds downloads per client.
func NewOpenDataAPI(svc *opendata.Service, log *slog.Logger, limiter *Limiter) *OpenDataAPI {
	return &OpenDataAPI{svc: svc, log: log, limiter: limiter}
}

// Register adds the routes: the catalogue, each dataset's dictionary and
// its downloads (/open-data/complaints.ndjson, /open-data/holidays.ics).
func (h *OpenDataAPI) Register(r gin.IRouter) {
	r.GET("/open-data/catalog.json", h.catalog)
	r.GET("/open-data/:name/dictionary.json", h.dictionary)
	r.GET("/open-data/:name", RateLimit(h.limiter), h.download)
}

// datasetLinks is a dataset with where to fetch it.
type datasetLinks struct {
	opendata.Dataset
	Dictionary string            `json:"dictionary"`
	Downloads  map[string]string `json:"downloads"`
}

func links(d opendata.Dataset) datasetLinks {
	out := datasetLinks{Dataset: d, Dictionary: opendata.DictionaryPath(d.Name), Downloads: map[string]string{}}
	for _, f := range d.Formats {
		out.Downloads[string(f)] = opendata.DownloadPath(d.Name, f)
	}
	return out
}

func (h *OpenDataAPI) catalog(c *gin.Context) {
	ds := h.svc.Datasets()
	out := make([]datasetLinks, len(ds))
	for i, d := range ds {
		out[i] = links(d)
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, gin.H{"datasets": out})
}

func (h *OpenDataAPI) dictionary(c *gin.Context) {
	d, err := h.svc.Dataset(c.Param("name"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, links(d))
}

// exportQuery reads the filters: government (agency code), from and to
// (YYYY-MM-DD, inclusive) and lang (iCalendar names).
func exportQuery(c *gin.Context) (opendata.Query, error) {
	q := opendata.Query{Government: strings.TrimSpace(c.Query("government")), Lang: c.Query("lang")}
	for _, p := range []struct {
		name string
		dst  **workcal.Date
	}{{"from", &q.From}, {"to", &q.To}} {
		v := c.Query(p.name)
		if v == "" {
			continue
		}
		d, err := workcal.ParseDate(v)
		if err != nil {
			return q, domain.Invalidf(p.name, "must be a date YYYY-MM-DD, got %q", v)
		}
		*p.dst = &d
	}
	return q, nil
}

func (h *OpenDataAPI) download(c *gin.Context) {
	file := c.Param("name")
	dot := strings.LastIndexByte(file, '.')
	if dot <= 0 {
		Abort(c, h.log, fmt.Errorf("open data: %q names no format (e.g. complaints.csv): %w", file, domain.ErrNotFound))
		return
	}
	q, err := exportQuery(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	ctx := c.Request.Context()
	ex, err := h.svc.Prepare(ctx, file[:dot], opendata.Format(file[dot+1:]), q)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Content-Type", ex.Format.ContentType())
	if ex.Format != opendata.ICS { // calendar apps subscribe to the feed in place
		c.Header("Content-Disposition", `attachment; filename="`+ex.FileName()+`"`)
	}
	c.Header("Link", fmt.Sprintf(`<%s>; rel="license", <%s>; rel="describedby"`, ex.Dataset.Licence.URL, opendata.DictionaryPath(ex.Dataset.Name)))
	c.Header("X-License", ex.Dataset.Licence.ID+" "+ex.Dataset.Licence.URL)
	c.Header("Cache-Control", "public, max-age=300")
	c.Status(http.StatusOK)
	w := &deadlineWriter{rc: http.NewResponseController(c.Writer), w: c.Writer}
	if err := ex.WriteTo(ctx, w); err != nil {
		// The status is sent: cut the connection so the client sees a
		// truncated download rather than a complete-looking one.
		h.log.ErrorContext(ctx, "open data export failed", "dataset", ex.Dataset.Name, "format", string(ex.Format), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// deadlineWriter pushes the server's write deadline forward while a large
// export keeps flowing, so a long download is not cut by WriteTimeout but a
// stalled client still is.
type deadlineWriter struct {
	rc      *http.ResponseController
	w       http.ResponseWriter
	written int64
	next    int64
}

const deadlineEvery = 1 << 20

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.written >= d.next {
		_ = d.rc.SetWriteDeadline(time.Now().Add(2 * time.Minute)) // unsupported under test recorders
		d.next = d.written + deadlineEvery
	}
	n, err := d.w.Write(p)
	d.written += int64(n)
	return n, err
}
