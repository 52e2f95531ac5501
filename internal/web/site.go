package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// AgencyReader is what the pages need of the agency service.
type AgencyReader interface {
	Get(ctx context.Context, code string) (domain.Agency, error)
	Children(ctx context.Context, code string) ([]domain.Agency, error)
	ChildCounts(ctx context.Context, code string) (map[string]int64, error)
}

// Site registers the public pages.
type Site struct {
	engine     *Engine
	agencies   AgencyReader
	log        *slog.Logger
	spbe       SPBEReader            // optional: set by WithSPBE
	complaints ComplaintStatusReader // optional: set by WithComplaints
	// optional: set by WithCommitments
	commitments    CommitmentReader
	commitmentsNow func() time.Time
	workspace      *Workspace      // optional: set by WithWorkspace
	metrics        MetricsReader   // optional: set by WithMetrics
	openData       OpenDataCatalog // optional: set by WithOpenData
}

// NewSite builds the public site.
func NewSite(engine *Engine, ag AgencyReader, log *slog.Logger) *Site {
	return &Site{engine: engine, agencies: ag, log: log}
}

// Register adds the pages and static files to the engine.
func (s *Site) Register(r *gin.Engine) {
	r.GET("/static/*file", gin.WrapH(staticHandler()))
	r.HEAD("/static/*file", gin.WrapH(staticHandler()))
	r.GET("/", s.home)
	r.GET("/wilayah/:code", s.agency)
	r.GET("/tentang", s.about)
	s.registerSPBE(r)
	s.registerComplaints(r)
	s.registerCommitments(r)
	s.registerWorkspace(r)
	s.registerMetrics(r)
	s.registerOpenData(r)
	r.GET("/about", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/tentang?lang=en") })
}

// NotFound renders the HTML 404 page.
func (s *Site) NotFound(c *gin.Context) {
	s.engine.Render(c, http.StatusNotFound, "error", "error.not_found", nil)
}

func (s *Site) fail(c *gin.Context, err error) {
	if errors.Is(err, domain.ErrNotFound) {
		s.NotFound(c)
		return
	}
	s.log.ErrorContext(c.Request.Context(), "page failed", "route", c.FullPath(), "err", err)
	s.engine.Render(c, http.StatusInternalServerError, "error", "error.internal", nil)
}

type regionRow struct {
	Code, Name, Zone string
	Kind             domain.AgencyKind
	Children         int64
	M                *metricsRow // performance figures; nil without the metrics service
}

type homeData struct {
	Provinces, Regencies int
	Rows                 []regionRow
	Metrics              *metricsTable // nil without the metrics service
}

func zoneLabel(tz string) string {
	if z, ok := domain.IndonesianZones[tz]; ok {
		return z + " (" + tz + ")"
	}
	return tz
}

func (s *Site) rows(ctx context.Context, code string) ([]regionRow, error) {
	children, err := s.agencies.Children(ctx, code)
	if err != nil {
		return nil, err
	}
	counts, err := s.agencies.ChildCounts(ctx, code)
	if err != nil {
		return nil, err
	}
	out := make([]regionRow, 0, len(children))
	for _, a := range children {
		out = append(out, regionRow{Code: a.Code, Name: a.Name, Zone: zoneLabel(a.TimeZone), Kind: a.Kind, Children: counts[a.Code]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func (s *Site) home(c *gin.Context) {
	rows, err := s.rows(c.Request.Context(), agencies.NationalCode)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := homeData{Rows: make([]regionRow, 0, len(rows))}
	for _, r := range rows {
		if r.Kind != domain.KindProvinsi {
			continue
		}
		d.Rows = append(d.Rows, r)
		d.Provinces++
		d.Regencies += int(r.Children)
	}
	if d.Rows, d.Metrics, err = s.withMetrics(c, agencies.NationalCode, d.Rows); err != nil {
		s.fail(c, err)
		return
	}
	s.engine.Render(c, http.StatusOK, "home", "home.title", d)
}

type agencyData struct {
	Agency   domain.Agency
	Parent   *domain.Agency
	Zone     string
	Children []regionRow
	Metrics  *metricsTable // the children's figures; nil without the metrics service
}

func (s *Site) agency(c *gin.Context) {
	ctx := c.Request.Context()
	a, err := s.agencies.Get(ctx, c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := agencyData{Agency: a, Zone: zoneLabel(a.TimeZone)}
	if a.ParentCode != "" {
		p, err := s.agencies.Get(ctx, a.ParentCode)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Parent = &p
	}
	if d.Children, err = s.rows(ctx, a.Code); err != nil {
		s.fail(c, err)
		return
	}
	if d.Children, d.Metrics, err = s.withMetrics(c, a.Code, d.Children); err != nil {
		s.fail(c, err)
		return
	}
	s.engine.RenderTitled(c, http.StatusOK, "agency", a.Name, d)
}

func (s *Site) about(c *gin.Context) {
	s.engine.Render(c, http.StatusOK, "about", "about.title", nil)
}
