package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// CalendarReader gives the holiday calendar in force.
type CalendarReader interface {
	Current(ctx context.Context) (*workcal.Calendar, store.CalendarVersion, error)
}

// PolicyReader gives the SLA policies in force.
type PolicyReader interface {
	InForce(ctx context.Context) (clocks.PolicySet, error)
}

// Methodology is what /metodologi explains, read from the same rule sets
// the numbers are computed with: the stored calendar, the policy in force
// and the SPBE framework file.
type Methodology struct {
	Calendar  CalendarReader
	Policies  PolicyReader
	Framework *spbe.Framework
	MinN      int
}

// WithMethodology enables the methodology page.
func (s *Site) WithMethodology(m Methodology) *Site {
	s.method = &m
	return s
}

func (s *Site) registerMethodology(r *gin.Engine) {
	if s.method != nil {
		r.GET("/metodologi", s.public(s.methodology))
	}
}

type decreeRow struct {
	Source      string
	Years       string
	Days        int
	Libur, Cuti int
}

type yearRow struct {
	Year        int
	Libur, Cuti int
	Holidays    []holidayRow
}

type holidayRow struct {
	Date           time.Time
	Cuti           bool
	NameID, NameEN string
}

type ruleRow struct {
	ReportType, Category, AgencyKind string
	Verification, First, Completion  int
	Note                             string
}

type weightRow struct {
	Code, NameID, NameEN string
	Weight               string
}

type bandRow struct {
	Min            string
	NameID, NameEN string
}

// condNode is a derived-indicator condition as a tree for the page.
type condNode struct {
	Text     string
	Pre      bool   // a precondition a person confirms
	Group    string // "any" or "all" for a group
	Children []condNode
}

type levelRow struct {
	Level int
	Conds []condNode
}

type derivedView struct {
	Indicator  int
	Name       string
	Status     string
	Disclaimer string
	WindowDays int
	Semantics  string
	Inputs     []spbe.DerivedInput
	Levels     []levelRow
}

type methodologyData struct {
	CalendarVersion string
	FirstYear       int
	LastYear        int
	Decrees         []decreeRow
	Years           []yearRow
	PolicyVersion   string
	PolicyName      string
	PauseCap        int
	Rules           []ruleRow
	MinN            int
	FrameworkName   string
	FrameworkNameEN string
	LegalBasis      string
	Formula         []string
	Domains         []weightRow
	Bands           []bandRow
	PublishDecimals int
	Banding         string
	Derived         []derivedView
}

func conds(cs []spbe.Condition) []condNode {
	var out []condNode
	for _, c := range cs {
		switch {
		case len(c.AnyOf) > 0:
			out = append(out, condNode{Group: "any", Children: conds(c.AnyOf)})
		case len(c.AllOf) > 0:
			out = append(out, condNode{Group: "all", Children: conds(c.AllOf)})
		case c.Precondition != "":
			out = append(out, condNode{Text: c.Precondition, Pre: true})
		default:
			v := ""
			if c.Value != nil {
				v = c.Value.String()
			}
			op := strings.NewReplacer(">=", "≥", "<=", "≤", "==", "=").Replace(c.Op)
			out = append(out, condNode{Text: c.Metric + " " + op + " " + v})
		}
	}
	return out
}

func (s *Site) methodology(c *gin.Context) {
	ctx := c.Request.Context()
	m := s.method
	d := methodologyData{MinN: m.MinN}
	if m.Calendar != nil {
		cal, v, err := m.Calendar.Current(ctx)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.CalendarVersion = cal.Version()
		d.FirstYear, d.LastYear = cal.CoveredYears()
		setLastModified(c, v.CreatedAt)
		decrees := map[string]*decreeRow{}
		years := map[int]*yearRow{}
		decreeYears := map[string][]int{}
		for _, h := range cal.Holidays() {
			y := h.Date.Year
			yr := years[y]
			if yr == nil {
				yr = &yearRow{Year: y}
				years[y] = yr
			}
			yr.Holidays = append(yr.Holidays, holidayRow{Date: h.Date.Start(time.UTC), Cuti: h.Kind == workcal.CutiBersama, NameID: h.NameID, NameEN: h.NameEN})
			dr := decrees[h.Source]
			if dr == nil {
				dr = &decreeRow{Source: h.Source}
				decrees[h.Source] = dr
			}
			dr.Days++
			if h.Kind == workcal.CutiBersama {
				dr.Cuti++
				yr.Cuti++
			} else {
				dr.Libur++
				yr.Libur++
			}
			if !slices.Contains(decreeYears[h.Source], y) {
				decreeYears[h.Source] = append(decreeYears[h.Source], y)
			}
		}
		for src, dr := range decrees {
			var ys []string
			for _, y := range decreeYears[src] {
				ys = append(ys, itoa(y))
			}
			dr.Years = strings.Join(ys, ", ")
			d.Decrees = append(d.Decrees, *dr)
		}
		sort.Slice(d.Decrees, func(i, j int) bool {
			return d.Decrees[i].Years < d.Decrees[j].Years || d.Decrees[i].Years == d.Decrees[j].Years && d.Decrees[i].Source < d.Decrees[j].Source
		})
		for _, yr := range years {
			d.Years = append(d.Years, *yr)
		}
		sort.Slice(d.Years, func(i, j int) bool { return d.Years[i].Year < d.Years[j].Year })
	}
	if m.Policies != nil {
		ps, err := m.Policies.InForce(ctx)
		if err != nil {
			s.fail(c, err)
			return
		}
		p := ps.National
		d.PolicyVersion, d.PolicyName, d.PauseCap = p.Version, p.Name, p.PauseCapCalendarDays
		for _, r := range p.Rules {
			d.Rules = append(d.Rules, ruleRow{ReportType: string(r.ReportType), Category: r.Category, AgencyKind: string(r.AgencyKind),
				Verification: r.Limits[domain.ClockVerification], First: r.Limits[domain.ClockFirstResponse],
				Completion: r.Limits[domain.ClockCompletion], Note: r.Note})
		}
	}
	if fw := m.Framework; fw != nil {
		d.FrameworkName, d.FrameworkNameEN = fw.Name, fw.NameEN
		d.LegalBasis = fw.LegalBasis["instrument"]
		for _, k := range []string{"aspect", "domain", "index"} {
			if f, ok := fw.Formula[k]; ok {
				d.Formula = append(d.Formula, k+" = "+f)
			}
		}
		for _, dm := range fw.Domains {
			d.Domains = append(d.Domains, weightRow{Code: dm.Code, NameID: dm.NameID, NameEN: dm.NameEN, Weight: dm.Weight.String()})
		}
		for _, p := range fw.Predicates {
			d.Bands = append(d.Bands, bandRow{Min: p.Min.String(), NameID: p.NameID, NameEN: p.NameEN})
		}
		d.PublishDecimals, d.Banding = fw.Rounding.PublishDecimals, fw.Rounding.Banding
		for _, r := range fw.Derived {
			v := derivedView{Indicator: r.Indicator, Status: r.Status, Disclaimer: r.Disclaimer, WindowDays: r.WindowDays,
				Semantics: r.Semantics, Inputs: r.Inputs}
			if ind, ok := fw.Indicator(r.Indicator); ok {
				v.Name = ind.NameID
				if s.engine.langOf(c) == LangEN {
					v.Name = ind.NameEN
				}
			}
			for _, lr := range r.Rules {
				v.Levels = append(v.Levels, levelRow{Level: lr.Level, Conds: conds(lr.AllOf)})
			}
			d.Derived = append(d.Derived, v)
		}
	}
	s.engine.Render(c, http.StatusOK, "methodology", "method.title", d)
}
