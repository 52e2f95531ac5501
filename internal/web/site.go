package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// AgencyReader is what the pages need of the agency service.
type AgencyReader interface {
	Get(ctx context.Context, code string) (domain.Agency, error)
	Children(ctx context.Context, code string) ([]domain.Agency, error)
	ChildCounts(ctx context.Context, code string, kinds ...domain.AgencyKind) (map[string]int64, error)
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
	method         *Methodology    // optional: set by WithMethodology
	now            func() time.Time
}

// NewSite builds the public site.
func NewSite(engine *Engine, ag AgencyReader, log *slog.Logger) *Site {
	return &Site{engine: engine, agencies: ag, log: log, now: time.Now}
}

// WithClock sets the clock pages read "now" from (tests pin it).
func (s *Site) WithClock(now func() time.Time) *Site {
	s.now = now
	return s
}

// Register adds the pages and static files to the engine.
func (s *Site) Register(r *gin.Engine) {
	r.GET("/static/*file", gin.WrapH(staticHandler()))
	r.HEAD("/static/*file", gin.WrapH(staticHandler()))
	r.GET("/", s.public(s.home))
	r.GET("/wilayah/:code", s.public(s.agency))
	r.GET("/tentang", s.public(s.about))
	r.GET("/lacak", s.track)
	s.registerMethodology(r)
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
	Headline             *headline     // nil without the metrics service
	Best, Worst          []boardRow    // governments with enough data
	Links                homeLinks
}

// homeLinks says which entry points exist (the services are optional).
type homeLinks struct {
	Board, Commitments, SPBE, Methodology, Data, Track bool
}

// headline is the national figures of one year.
type headline struct {
	Year        string
	Fallback    bool // the current year has no data yet; Year is the last one
	CurrentYear int
	Received    int64
	Response    rateCell
	OnTime      rateCell
	Overdue     int64
	MinN        int
}

func zoneLabel(tz string) string {
	if z, ok := domain.IndonesianZones[tz]; ok {
		return z + " (" + tz + ")"
	}
	return tz
}

// rows lists code's children, each with how many children of kinds (any
// kind when none) it has.
func (s *Site) rows(ctx context.Context, code string, kinds ...domain.AgencyKind) ([]regionRow, error) {
	children, err := s.agencies.Children(ctx, code)
	if err != nil {
		return nil, err
	}
	counts, err := s.agencies.ChildCounts(ctx, code, kinds...)
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
	// The home table counts a province's regencies and cities, not its units.
	rows, err := s.rows(c.Request.Context(), agencies.NationalCode, domain.KindKabupaten, domain.KindKota)
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
	d.Links = homeLinks{Board: s.metrics != nil, Commitments: s.commitments != nil, SPBE: s.spbe != nil, Methodology: s.method != nil,
		Data: s.openData != nil, Track: s.complaints != nil}
	if s.metrics != nil {
		if err := s.fillHeadline(c, &d); err != nil {
			s.fail(c, err)
			return
		}
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

// track sends the complaint lookup form (GET /lacak?sumber=&id=) to the
// complaint's status page, so the home page needs no script.
func (s *Site) track(c *gin.Context) {
	source, id := strings.TrimSpace(c.Query("sumber")), strings.TrimSpace(c.Query("id"))
	if source == "" {
		source = domain.DefaultSource
	}
	if id == "" || s.complaints == nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	c.Redirect(http.StatusSeeOther, "/complaints/"+url.PathEscape(source)+"/"+url.PathEscape(id))
}
