package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// AdminAPI serves tokens and the audit log (admins only).
type AdminAPI struct {
	access *access.Service
	store  *store.Store
	log    *slog.Logger
}

// Register adds the admin routes.
func (h *AdminAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/tokens", h.listTokens)
	rg.POST("/tokens", h.createToken)
	rg.DELETE("/tokens/:id", h.revokeToken)
	rg.GET("/audit", h.listAudit)
}

type tokenBody struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	Agency    string `json:"agency_code"`
	ExpiresIn string `json:"expires_in"` // e.g. "90d", "12h"
}

type createdToken struct {
	store.APIToken
	Token string `json:"token"`
}

// ParseExpiry reads "90d", "12h", "30m" (days are not in time.ParseDuration).
func ParseExpiry(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, ok := trimSuffixInt(s, "d"); ok {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, domain.Invalidf("expires", "%q is not a duration such as 90d, 12h or 30m", s)
	}
	return d, nil
}

func trimSuffixInt(s, suffix string) (int, bool) {
	if len(s) <= len(suffix) || s[len(s)-len(suffix):] != suffix {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-len(suffix)])
	return n, err == nil && n > 0
}

func (h *AdminAPI) createToken(c *gin.Context) {
	if err := access.RequireAdmin(principal(c)); err != nil {
		Abort(c, h.log, err)
		return
	}
	var b tokenBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	exp, err := ParseExpiry(b.ExpiresIn)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	secret, t, err := h.access.CreateToken(c.Request.Context(), principal(c), access.NewToken{Name: b.Name, Role: access.Role(b.Role), AgencyCode: b.Agency, ExpiresIn: exp})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusCreated, createdToken{APIToken: t, Token: secret})
}

func (h *AdminAPI) listTokens(c *gin.Context) {
	list, err := h.access.ListTokens(c.Request.Context(), principal(c))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, Page[store.APIToken]{Items: nonNil(list), Total: int64(len(list)), Limit: len(list)})
}

func (h *AdminAPI) revokeToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		Abort(c, h.log, domain.Invalid("id", "must be a token id number"))
		return
	}
	t, err := h.access.RevokeToken(c.Request.Context(), principal(c), id)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

func (h *AdminAPI) listAudit(c *gin.Context) {
	if err := access.RequireAdmin(principal(c)); err != nil {
		Abort(c, h.log, err)
		return
	}
	limit, offset, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	list, total, err := h.store.ListAudit(c.Request.Context(), store.AuditFilter{Entity: c.Query("entity"), EntityKey: c.Query("key"), Limit: limit, Offset: offset})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, Page[store.AuditEntry]{Items: nonNil(list), Total: total, Limit: limit, Offset: offset})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
