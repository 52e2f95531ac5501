package web

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

// SPBEReader is what the SPBE pages need of the index service.
type SPBEReader interface {
	Ranking(ctx context.Context, q spbeindex.RankingQuery) (spbeindex.Ranking, error)
	Overview(ctx context.Context, code string) (spbeindex.Overview, error)
}

// WithSPBE adds the SPBE pages (/spbe/{province}, /spbe/agency/{code}).
func (s *Site) WithSPBE(r SPBEReader) *Site {
	s.spbe = r
	return s
}

func (s *Site) registerSPBE(r *gin.Engine) {
	if s.spbe == nil {
		return
	}
	r.GET("/spbe", s.public(s.spbeIndex))
	r.GET("/spbe/:province", s.public(s.spbeProvince))
	r.GET("/spbe/agency/:code", s.public(s.spbeAgency))
}

// decimal turns a stored 2-decimal index ("3.42") into a number for the
// locale formatter; the value has two decimals, so formatting it back with
// two gives the same digits.
func decimal(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// spbeValue is an optional number on a page.
type spbeValue struct {
	V  float64
	OK bool
}

func value(s string) spbeValue {
	v, ok := decimal(s)
	return spbeValue{v, ok}
}

type spbeRankRow struct {
	Rank, PreviousRank int
	Tied               bool
	Code, Name         string
	Kind               domain.AgencyKind
	Index, Previous    spbeValue
	Change             spbeValue
	Predicate          string
	Domains            []spbeValue
	Note               string
}

type spbeAverage struct {
	Year, N int
	Mean    spbeValue
	Exact   string
}

type spbeProvinceData struct {
	Province    domain.Agency
	Year, Prev  int
	DomainCodes []string
	ProvinceRow *spbeRankRow
	Rows        []spbeRankRow
	Averages    []spbeAverage
	HasResults  bool
	Source      domain.SPBESource
}

var spbeDomainCodes = []string{"D1", "D2", "D3", "D4"}

func rankRow(r spbeindex.RankingRow) spbeRankRow {
	row := spbeRankRow{Rank: r.Rank, PreviousRank: r.PreviousRank, Tied: r.Tied, Code: r.Government, Name: r.Name, Kind: r.Kind,
		Index: value(r.Index), Previous: value(r.Previous), Change: value(r.Change), Predicate: r.Predicate, Note: r.Note}
	for _, d := range spbeDomainCodes {
		row.Domains = append(row.Domains, value(r.Domains[d]))
	}
	return row
}

func (s *Site) spbeProvince(c *gin.Context) {
	ctx := c.Request.Context()
	prov, err := s.agencies.Get(ctx, c.Param("province"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if prov.Kind != domain.KindProvinsi {
		s.NotFound(c)
		return
	}
	q := spbeindex.RankingQuery{Province: prov.Code}
	if y := c.Query("tahun"); y != "" {
		if q.Year, err = strconv.Atoi(y); err != nil {
			s.NotFound(c)
			return
		}
	}
	d := spbeProvinceData{Province: prov, DomainCodes: spbeDomainCodes}
	rk, err := s.spbe.Ranking(ctx, q)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		// no results yet: the page says so
	case err != nil:
		s.fail(c, err)
		return
	default:
		d.HasResults, d.Year, d.Prev, d.Source = true, rk.Year, rk.Year-1, rk.Source
		if rk.Province != nil {
			pr := rankRow(*rk.Province)
			d.ProvinceRow = &pr
		}
		for _, r := range rk.Rows {
			d.Rows = append(d.Rows, rankRow(r))
		}
		for _, a := range rk.Averages {
			d.Averages = append(d.Averages, spbeAverage{Year: a.Year, N: a.N, Mean: value(a.Mean), Exact: a.Exact})
		}
	}
	s.engine.RenderTitled(c, http.StatusOK, "spbe_province", "SPBE · "+prov.Name, d)
}

type spbeIndexData struct {
	Provinces []domain.Agency
}

// spbeIndex lists the provinces, each linking to its comparison.
func (s *Site) spbeIndex(c *gin.Context) {
	kids, err := s.agencies.Children(c.Request.Context(), agencies.NationalCode)
	if err != nil {
		s.fail(c, err)
		return
	}
	var d spbeIndexData
	for _, a := range kids {
		if a.Kind == domain.KindProvinsi {
			d.Provinces = append(d.Provinces, a)
		}
	}
	sort.Slice(d.Provinces, func(i, j int) bool { return d.Provinces[i].Code < d.Provinces[j].Code })
	s.engine.Render(c, http.StatusOK, "spbe_index", "spbe.index_title", d)
}

type spbeHistoryRow struct {
	Year      int
	Stage     domain.SPBEStage
	Source    domain.SPBESource
	Index     spbeValue
	Predicate string
	Domains   []spbeValue
}

type spbeDomainRow struct {
	Code, NameID, NameEN string
	Value                spbeValue
}

// spbeMoveRow is one step of a plan: an indicator from level to level, or
// (domain granularity) a domain from index to index.
type spbeMoveRow struct {
	Label          string
	Owner          string
	FromLvl, ToLvl int
	FromIdx, ToIdx spbeValue
	Steps          int
	Gain           spbeValue
	IsDomain       bool
}

type spbeAgencyData struct {
	Agency         domain.Agency
	DomainCodes    []string
	History        []spbeHistoryRow
	Latest         *spbeHistoryRow
	Domains        []spbeDomainRow
	Derived        []spbeindex.DerivedIndicator
	NextPredicate  string
	NextMin        spbeValue
	Recommendation *spbeindex.Recommendation
	Moves          []spbeMoveRow
	DomainPlan     bool
	Reached        spbeValue
}

func historyRow(r domain.SPBEIndexResult) spbeHistoryRow {
	h := spbeHistoryRow{Year: r.Year, Stage: r.Stage, Source: r.Source, Index: value(r.Index), Predicate: r.Predicate}
	for _, d := range spbeDomainCodes {
		h.Domains = append(h.Domains, value(r.Domains[d]))
	}
	return h
}

func (s *Site) spbeAgency(c *gin.Context) {
	ov, err := s.spbe.Overview(c.Request.Context(), c.Param("code"))
	if errors.Is(err, domain.ErrInvalid) {
		s.NotFound(c) // a unit, not a government
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	d := spbeAgencyData{Agency: ov.Agency, DomainCodes: spbeDomainCodes, Derived: ov.Derived, Recommendation: ov.Recommendation}
	for _, r := range ov.History {
		d.History = append(d.History, historyRow(r))
	}
	if ov.Latest != nil {
		l := historyRow(*ov.Latest)
		d.Latest = &l
	}
	for _, dv := range ov.Domains {
		d.Domains = append(d.Domains, spbeDomainRow{Code: dv.Code, NameID: dv.NameID, NameEN: dv.NameEN, Value: value(dv.Value)})
	}
	if ov.NextPredicate != nil {
		d.NextPredicate = ov.NextPredicate.NameID
		d.NextMin = value(ov.NextPredicate.Min.String())
	}
	if rec := ov.Recommendation; rec != nil {
		d.DomainPlan = rec.Granularity == spbeindex.GranularityDomain
		d.Reached = value(rec.Reached)
		for _, m := range rec.Moves {
			d.Moves = append(d.Moves, spbeMoveRow{Label: m.Code + " " + m.Name, Owner: m.Owner,
				FromLvl: m.From, ToLvl: m.To, Steps: m.Steps, Gain: value(m.Gain)})
		}
		for _, m := range rec.DomainMoves {
			d.Moves = append(d.Moves, spbeMoveRow{Label: m.Domain + " " + m.Name, FromIdx: value(m.From), ToIdx: value(m.To),
				Steps: m.Steps, Gain: value(m.Gain), IsDomain: true})
		}
	}
	s.engine.RenderTitled(c, http.StatusOK, "spbe_agency", "SPBE · "+ov.Agency.Name, d)
}
