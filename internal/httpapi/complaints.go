package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
)

// ComplaintAPI serves complaint and event writes and the complaint read.
type ComplaintAPI struct {
	svc *ingest.Service
	log *slog.Logger
	// clocks adds the stored clocks to the read (optional).
	clocks *clocks.Service
}

// Register adds the complaint routes.
func (h *ComplaintAPI) Register(rg *gin.RouterGroup) {
	rg.POST("/complaints", h.createOne)
	rg.POST("/complaints/batch", h.createBatch)
	rg.POST("/events", h.events)
	rg.GET("/complaints/:source/:tracking_id", h.get)
}

// readItems reads a JSON body as a list of objects: an array, an
// {"items": [...]} envelope or (when one is allowed) a single object.
func readItems(c *gin.Context, single bool) ([]json.RawMessage, bool, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, false, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, false, domain.Invalid("body", "a JSON body is required")
	}
	switch body[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, false, domain.Invalidf("body", "malformed JSON array: %v", err)
		}
		return items, false, nil
	case '{':
		var env struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &env); err == nil && env.Items != nil {
			return env.Items, false, nil
		}
		if !single {
			return nil, false, domain.Invalid("body", `expected an array or {"items": [...]}`)
		}
		if !json.Valid(body) {
			return nil, false, domain.Invalid("body", "malformed JSON object")
		}
		return []json.RawMessage{body}, true, nil
	}
	return nil, false, domain.Invalid("body", "expected a JSON object or array")
}

// createOne writes one complaint (with optional embedded events): 201 when
// created, 200 when updated/unchanged/stale, 403 out of scope, 422 invalid.
func (h *ComplaintAPI) createOne(c *gin.Context) {
	items, single, err := readItems(c, true)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if !single {
		Abort(c, h.log, domain.Invalid("body", "one complaint object; use /complaints/batch for many"))
		return
	}
	rep, err := h.svc.SubmitComplaints(c.Request.Context(), principal(c), c.Query("source"), items)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	res := rep.Results[0]
	switch {
	case res.Outcome == ingest.Rejected && res.Forbidden():
		Abort(c, h.log, &scopeError{details: res.Errors})
	case res.Outcome == ingest.Rejected:
		Abort(c, h.log, &domain.ValidationError{Message: "invalid complaint", Details: res.Errors})
	case res.Outcome == ingest.Created:
		c.JSON(http.StatusCreated, res)
	default:
		c.JSON(http.StatusOK, res)
	}
}

// scopeError is a single write outside the token's agency subtree.
type scopeError struct{ details []domain.FieldError }

func (e *scopeError) Error() string {
	if len(e.details) > 0 {
		return e.details[0].Reason
	}
	return "outside the token's agency scope"
}
func (e *scopeError) Unwrap() error { return domain.ErrForbidden }

// createBatch writes up to 5000 complaints; every item gets a result.
func (h *ComplaintAPI) createBatch(c *gin.Context) {
	items, _, err := readItems(c, false)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	rep, err := h.svc.SubmitComplaints(c.Request.Context(), principal(c), c.Query("source"), items)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// events writes one event object or many; every item gets a result.
func (h *ComplaintAPI) events(c *gin.Context) {
	items, _, err := readItems(c, true)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	rep, err := h.svc.SubmitEvents(c.Request.Context(), principal(c), c.Query("source"), items)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// complaintView is the read shape of a complaint (design §5): times in RFC
// 3339 in the assigned agency's zone; reporter only when allowed.
type complaintView struct {
	Source          string        `json:"source"`
	TrackingID      string        `json:"tracking_id"`
	ReportType      string        `json:"report_type"`
	Category        string        `json:"category,omitempty"`
	Channel         string        `json:"channel,omitempty"`
	SubmittedAt     string        `json:"submitted_at"`
	AgencyCode      string        `json:"agency_code"`
	RegionCode      string        `json:"region_code,omitempty"`
	Anonymous       bool          `json:"anonymous"`
	Confidential    bool          `json:"confidential"`
	Title           string        `json:"title,omitempty"`
	Summary         string        `json:"summary,omitempty"`
	SourceUpdatedAt string        `json:"source_updated_at,omitempty"`
	Redacted        bool          `json:"content_redacted,omitempty"`
	Events          []eventView   `json:"events"`
	Reporter        *reporterView `json:"reporter,omitempty"`
	Clocks          []ClockJSON   `json:"clocks"`
}

type eventView struct {
	EventID      string `json:"event_id"`
	Kind         string `json:"kind"`
	At           string `json:"at"`
	AgencyCode   string `json:"agency_code,omitempty"`
	ToAgencyCode string `json:"to_agency_code,omitempty"`
	PublicText   string `json:"public_text,omitempty"`
}

type reporterView struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
}

func (h *ComplaintAPI) get(c *gin.Context) {
	d, err := h.svc.Complaint(c.Request.Context(), principal(c), c.Param("source"), c.Param("tracking_id"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	cp := d.Complaint
	v := complaintView{Source: cp.Source, TrackingID: cp.TrackingID, ReportType: string(cp.ReportType), Category: cp.Category,
		Channel: cp.Channel, SubmittedAt: cp.SubmittedAt.In(loc).Format(time.RFC3339), AgencyCode: cp.AgencyCode,
		RegionCode: cp.RegionCode, Anonymous: cp.Anonymous, Confidential: cp.Confidential, Title: cp.Title, Summary: cp.Summary,
		Redacted: d.Redacted, Events: make([]eventView, len(d.Events))}
	if cp.SourceUpdatedAt != nil {
		v.SourceUpdatedAt = cp.SourceUpdatedAt.In(loc).Format(time.RFC3339)
	}
	for i, e := range d.Events {
		v.Events[i] = eventView{EventID: e.EventID, Kind: string(e.Kind), At: e.At.In(loc).Format(time.RFC3339),
			AgencyCode: e.AgencyCode, ToAgencyCode: e.ToAgencyCode, PublicText: e.PublicText}
	}
	if d.Reporter != nil {
		v.Reporter = &reporterView{Name: d.Reporter.Name, Contact: d.Reporter.Contact}
		c.Header("Cache-Control", "private, no-store")
	}
	v.Clocks = []ClockJSON{}
	if h.clocks != nil {
		vs, err := h.clocks.ComplaintClocksByKey(c.Request.Context(), cp.Source, cp.TrackingID, wantExplain(c))
		if err != nil {
			Abort(c, h.log, err)
			return
		}
		v.Clocks = ClocksJSON(vs)
	}
	c.JSON(http.StatusOK, v)
}
