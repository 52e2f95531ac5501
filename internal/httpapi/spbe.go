package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

// SPBEAPI serves /api/v1/spbe: frameworks, assessments, index history,
// what-if, recommendations and rankings.
type SPBEAPI struct {
	svc *spbeindex.Service
	log *slog.Logger
}

// Register adds the SPBE routes.
func (h *SPBEAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/spbe/frameworks", h.frameworks)
	rg.POST("/spbe/simulate", h.simulate)
	rg.POST("/spbe/recommend", h.recommend)
	rg.GET("/spbe/rankings", h.rankings)
	rg.GET("/spbe/results/:agency", h.history)
	rg.GET("/spbe/:framework/assessments/:agency/:year/:stage", h.getAssessment)
	rg.PUT("/spbe/:framework/assessments/:agency/:year/:stage", h.putAssessment)
}

func (h *SPBEAPI) frameworks(c *gin.Context) {
	items, err := h.svc.ListFrameworks(c.Request.Context())
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []domain.SPBEFrameworkRecord{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// simulateBody is design §5's what-if request: levels keyed by indicator
// number (JSON object keys are strings).
type simulateBody struct {
	Framework string         `json:"framework"`
	Levels    map[string]int `json:"levels"`
}

func indicatorLevels(m map[string]int) (map[int]int, error) {
	out := make(map[int]int, len(m))
	for k, v := range m {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, domain.Invalidf("levels."+k, "indicator keys are numbers")
		}
		out[n] = v
	}
	return out, nil
}

func (h *SPBEAPI) simulate(c *gin.Context) {
	var b simulateBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	levels, err := indicatorLevels(b.Levels)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	sim, err := h.svc.Simulate(b.Framework, levels)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, sim)
}

type recommendBody struct {
	Framework  string `json:"framework"`
	Government string `json:"government"`
	// Target is a number or a decimal string ("3.8"), read exactly.
	Target json.Number `json:"target"`
	// Costs per indicator: costs["42"][k] raises it from level_min+k by one.
	Costs map[string][]int64 `json:"costs"`
}

func (h *SPBEAPI) recommend(c *gin.Context) {
	var b recommendBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	req := spbeindex.RecommendRequest{Framework: b.Framework, Government: b.Government}
	if b.Government == "" {
		Abort(c, h.log, domain.Invalid("government", "is required"))
		return
	}
	if b.Target == "" {
		Abort(c, h.log, domain.Invalid("target", "is required"))
		return
	}
	t, err := spbe.ParseDecimal(string(b.Target))
	if err != nil {
		Abort(c, h.log, domain.Invalidf("target", "%q is not a decimal number", b.Target))
		return
	}
	req.Target = t
	if b.Costs != nil {
		req.Costs = make(map[int][]int64, len(b.Costs))
		for k, v := range b.Costs {
			n, err := strconv.Atoi(k)
			if err != nil {
				Abort(c, h.log, domain.Invalidf("costs."+k, "indicator keys are numbers"))
				return
			}
			req.Costs[n] = v
		}
	}
	rec, err := h.svc.Recommend(c.Request.Context(), req)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rec)
}

func (h *SPBEAPI) rankings(c *gin.Context) {
	q := spbeindex.RankingQuery{Framework: c.Query("framework"), Province: c.Query("province"),
		Source: domain.SPBESource(c.Query("source")), Stage: domain.SPBEStage(c.Query("stage"))}
	if y := c.Query("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			Abort(c, h.log, domain.Invalid("year", "must be a year such as 2024"))
			return
		}
		q.Year = n
	}
	if k := c.Query("kind"); k != "" {
		for _, kind := range strings.Split(k, ",") {
			q.Kinds = append(q.Kinds, domain.AgencyKind(strings.TrimSpace(kind)))
		}
	}
	switch q.Source {
	case "", domain.SourcePublished, domain.SourceComputed, domain.SourceProjected:
	default:
		Abort(c, h.log, domain.Invalidf("source", "unknown source %q (published, computed, projected)", q.Source))
		return
	}
	rk, err := h.svc.Ranking(c.Request.Context(), q)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, rk)
}

func (h *SPBEAPI) history(c *gin.Context) {
	items, err := h.svc.History(c.Request.Context(), c.Param("agency"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if items == nil {
		items = []domain.SPBEIndexResult{}
	}
	c.JSON(http.StatusOK, gin.H{"government": c.Param("agency"), "items": items})
}

func assessmentKey(c *gin.Context) (domain.SPBEAssessmentKey, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return domain.SPBEAssessmentKey{}, domain.Invalid("year", "must be a year such as 2024")
	}
	return domain.SPBEAssessmentKey{Framework: c.Param("framework"), Government: c.Param("agency"), Year: year,
		Stage: domain.SPBEStage(c.Param("stage"))}, nil
}

func (h *SPBEAPI) getAssessment(c *gin.Context) {
	k, err := assessmentKey(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	a, err := h.svc.GetAssessment(c.Request.Context(), principal(c), k)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

type levelBody struct {
	Indicator     int             `json:"indicator"`
	Level         int             `json:"level"`
	EvidenceURL   string          `json:"evidence_url"`
	Owner         string          `json:"owner"`
	Note          string          `json:"note"`
	Confirmations map[string]bool `json:"confirmations"`
}

type assessmentBody struct {
	Levels []levelBody `json:"levels"`
}

func (h *SPBEAPI) putAssessment(c *gin.Context) {
	k, err := assessmentKey(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	var b assessmentBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	levels := make([]domain.SPBEAssessedLevel, len(b.Levels))
	for i, l := range b.Levels {
		levels[i] = domain.SPBEAssessedLevel{Indicator: l.Indicator, Level: l.Level, EvidenceURL: l.EvidenceURL,
			OwnerCode: l.Owner, Note: l.Note, Confirmations: l.Confirmations}
	}
	a, err := h.svc.PutAssessment(c.Request.Context(), principal(c), k, levels)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, a)
}
