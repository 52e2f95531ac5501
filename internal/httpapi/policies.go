package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// PolicyAPI serves the SLA policies: /api/v1/policies and the per-agency
// overrides under /api/v1/agencies/{code}/policy.
type PolicyAPI struct {
	svc *clocks.Policies
	log *slog.Logger
}

// Register adds the policy routes. Reads are public; writes are admin only.
func (h *PolicyAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/policies", h.list)
	rg.GET("/policies/:version", h.get)
	rg.PUT("/policies", h.putNational)
	rg.PUT("/agencies/:code/policy", h.putOverride)
}

// policyBody is a new policy version: the policy document (as
// slapolicy.ParsePolicy reads it) and why it changes.
type policyBody struct {
	Reason string          `json:"reason"`
	Policy json.RawMessage `json:"policy"`
}

type policyList struct {
	InForce []clocks.StoredPolicy `json:"in_force"`
	History []store.PolicyVersion `json:"history"`
}

func (h *PolicyAPI) list(c *gin.Context) {
	inForce, hist, err := h.svc.List(c.Request.Context())
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if hist == nil {
		hist = []store.PolicyVersion{}
	}
	c.JSON(http.StatusOK, policyList{InForce: inForce, History: hist})
}

func (h *PolicyAPI) get(c *gin.Context) {
	p, err := h.svc.Get(c.Request.Context(), c.Param("version"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *PolicyAPI) put(c *gin.Context, agencyCode string) {
	var b policyBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	if len(b.Policy) == 0 {
		Abort(c, h.log, domain.Invalid("policy", "required: the policy document"))
		return
	}
	p, err := h.svc.Put(c.Request.Context(), principal(c), agencyCode, b.Policy, b.Reason)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.Header("Location", "/api/v1/policies/"+p.Version)
	c.JSON(http.StatusCreated, p)
}

func (h *PolicyAPI) putNational(c *gin.Context) { h.put(c, "") }

func (h *PolicyAPI) putOverride(c *gin.Context) { h.put(c, c.Param("code")) }
