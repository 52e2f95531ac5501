package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// AgencyAPI serves /api/v1/agencies.
type AgencyAPI struct {
	svc *agencies.Service
	log *slog.Logger
}

// Register adds the agency routes.
func (h *AgencyAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/agencies", h.list)
	rg.GET("/agencies/:code", h.get)
	rg.POST("/agencies", h.create)
	rg.PUT("/agencies/:code", h.update)
}

// agencyBody is the write shape of an agency.
type agencyBody struct {
	Code        string            `json:"code"`
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	ShortName   string            `json:"short_name"`
	ParentCode  string            `json:"parent_code"`
	TimeZone    string            `json:"time_zone"`
	ExternalIDs map[string]string `json:"external_ids"`
	Active      *bool             `json:"active"`
}

func (b agencyBody) toDomain() domain.Agency {
	active := true
	if b.Active != nil {
		active = *b.Active
	}
	return domain.Agency{Code: b.Code, Kind: domain.AgencyKind(b.Kind), Name: b.Name, ShortName: b.ShortName,
		ParentCode: b.ParentCode, TimeZone: b.TimeZone, ExternalIDs: b.ExternalIDs, Active: active}
}

type agencyWithChildren struct {
	domain.Agency
	Children []domain.Agency `json:"children"`
}

// Page is the envelope of every paginated list.
type Page[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// pagination reads limit/offset with defaults and bounds.
func pagination(c *gin.Context, def, max int) (limit, offset int, err error) {
	limit, offset = def, 0
	if v := c.Query("limit"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > max {
			return 0, 0, domain.Invalidf("limit", "must be a number from 1 to %d", max)
		}
		limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, domain.Invalid("offset", "must be a non-negative number")
		}
		offset = n
	}
	return limit, offset, nil
}

func (h *AgencyAPI) list(c *gin.Context) {
	limit, offset, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	f := store.AgencyFilter{ParentCode: c.Query("parent"), Under: c.Query("under"), Search: c.Query("q"), Limit: limit, Offset: offset}
	if k := c.Query("kind"); k != "" {
		for _, kind := range strings.Split(k, ",") {
			f.Kinds = append(f.Kinds, domain.AgencyKind(strings.TrimSpace(kind)))
		}
	}
	f.ActiveOnly = c.Query("active") == "true"
	items, total, err := h.svc.List(c.Request.Context(), f)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []domain.Agency{}
	}
	c.JSON(http.StatusOK, Page[domain.Agency]{Items: items, Total: total, Limit: limit, Offset: offset})
}

func (h *AgencyAPI) get(c *gin.Context) {
	ctx := c.Request.Context()
	a, err := h.svc.Get(ctx, c.Param("code"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	children, err := h.svc.Children(ctx, a.Code)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if children == nil {
		children = []domain.Agency{}
	}
	c.JSON(http.StatusOK, agencyWithChildren{Agency: a, Children: children})
}

func (h *AgencyAPI) create(c *gin.Context) {
	// Say "token required" before judging a body an anonymous caller sent.
	if err := access.RequireReader(principal(c)); err != nil {
		Abort(c, h.log, err)
		return
	}
	var b agencyBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	a, err := h.svc.Create(c.Request.Context(), principal(c), b.toDomain())
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", "/api/v1/agencies/"+a.Code)
	c.JSON(http.StatusCreated, a)
}

func (h *AgencyAPI) update(c *gin.Context) {
	// Say "token required" before judging a body an anonymous caller sent.
	if err := access.RequireReader(principal(c)); err != nil {
		Abort(c, h.log, err)
		return
	}
	var b agencyBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	code := c.Param("code")
	if b.Code != "" && b.Code != code {
		Abort(c, h.log, domain.Invalidf("code", "body code %q differs from the URL's %q; codes cannot be changed", b.Code, code))
		return
	}
	b.Code = code
	a, err := h.svc.Update(c.Request.Context(), principal(c), b.toDomain())
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, a)
}
