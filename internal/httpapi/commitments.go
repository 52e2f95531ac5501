package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// CommitmentAPI serves /api/v1/commitments: public reads; writes for admins
// or the signing agency's scope.
type CommitmentAPI struct {
	svc *commitments.Service
	log *slog.Logger
	now func() time.Time
}

// Register adds the commitment routes.
func (h *CommitmentAPI) Register(rg *gin.RouterGroup) {
	if h.now == nil {
		h.now = time.Now
	}
	rg.GET("/commitments", h.list)
	rg.POST("/commitments", h.create)
	rg.GET("/commitments/:id", h.get)
	rg.PUT("/commitments/:id", h.revise)
	rg.POST("/commitments/:id/withdraw", h.withdraw)
	rg.GET("/commitments/:id/series", h.series)
	rg.GET("/commitments/:id/events", h.events)
	rg.POST("/commitments/:id/webhooks", h.subscribe)
	rg.GET("/commitments/:id/deliveries", h.deliveries)
}

type commitmentListItem struct {
	domain.CommitmentVersion
	Versions int `json:"versions"`
}

func (h *CommitmentAPI) list(c *gin.Context) {
	items, err := h.svc.List(c.Request.Context(), c.Query("party"), c.Query("withdrawn") == "true")
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	out := make([]commitmentListItem, 0, len(items))
	for _, s := range items {
		out = append(out, commitmentListItem{CommitmentVersion: s.Latest, Versions: len(s.Versions)})
	}
	c.JSON(http.StatusOK, Page[commitmentListItem]{Items: out, Total: int64(len(out)), Limit: len(out)})
}

// asOf reads ?at=YYYY-MM-DD (default now).
func (h *CommitmentAPI) asOf(c *gin.Context) (time.Time, error) {
	v := c.Query("at")
	if v == "" {
		return h.now(), nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, domain.Invalid("at", "a date YYYY-MM-DD")
	}
	// Noon UTC is the same calendar date in every Indonesian zone.
	return t.Add(12 * time.Hour), nil
}

type commitmentDetail struct {
	Latest   domain.CommitmentVersion   `json:"latest"`
	Versions []domain.CommitmentVersion `json:"versions"`
	Progress commitments.Progress       `json:"progress"`
}

func (h *CommitmentAPI) get(c *gin.Context) {
	ctx := c.Request.Context()
	at, err := h.asOf(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	versions, err := h.svc.Versions(ctx, c.Param("id"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	p, err := h.svc.Progress(ctx, c.Param("id"), at)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, commitmentDetail{Latest: versions[len(versions)-1], Versions: versions, Progress: p})
}

func (h *CommitmentAPI) create(c *gin.Context) {
	var in commitments.Input
	if err := bindJSON(c, &in); err != nil {
		Abort(c, h.log, err)
		return
	}
	v, err := h.svc.Create(c.Request.Context(), principal(c), in)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", "/api/v1/commitments/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (h *CommitmentAPI) revise(c *gin.Context) {
	var in commitments.Input
	if err := bindJSON(c, &in); err != nil {
		Abort(c, h.log, err)
		return
	}
	v, err := h.svc.Revise(c.Request.Context(), principal(c), c.Param("id"), in)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type withdrawBody struct {
	Note          string            `json:"note"`
	EffectiveFrom *commitments.Date `json:"effective_from"`
}

func (h *CommitmentAPI) withdraw(c *gin.Context) {
	var b withdrawBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	var eff time.Time
	if b.EffectiveFrom != nil {
		eff = b.EffectiveFrom.Time
	}
	v, err := h.svc.Withdraw(c.Request.Context(), principal(c), c.Param("id"), b.Note, eff)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *CommitmentAPI) series(c *gin.Context) {
	items, err := h.svc.Series(c.Request.Context(), c.Param("id"), c.Query("target"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []store.CommitmentSnapshot{}
	}
	c.JSON(http.StatusOK, Page[store.CommitmentSnapshot]{Items: items, Total: int64(len(items)), Limit: len(items)})
}

func (h *CommitmentAPI) events(c *gin.Context) {
	limit, _, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	items, err := h.svc.Events(c.Request.Context(), c.Param("id"), limit)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []store.CommitmentEvent{}
	}
	c.JSON(http.StatusOK, Page[store.CommitmentEvent]{Items: items, Total: int64(len(items)), Limit: limit})
}

func (h *CommitmentAPI) subscribe(c *gin.Context) {
	var in commitments.WebhookInput
	if err := bindJSON(c, &in); err != nil {
		Abort(c, h.log, err)
		return
	}
	w, err := h.svc.Subscribe(c.Request.Context(), principal(c), c.Param("id"), in)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", "/api/v1/commitments/"+c.Param("id")+"/webhooks/"+strconv.FormatInt(w.ID, 10))
	c.JSON(http.StatusCreated, w)
}

func (h *CommitmentAPI) deliveries(c *gin.Context) {
	items, err := h.svc.Deliveries(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []store.CommitmentDelivery{}
	}
	c.JSON(http.StatusOK, Page[store.CommitmentDelivery]{Items: items, Total: int64(len(items)), Limit: len(items)})
}
