package spbeindex

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
)

// RankingQuery selects governments to rank. Either Province (its regencies
// and cities, with the province itself shown beside them) or Kinds
// (national ranking of governments of those kinds).
type RankingQuery struct {
	Framework string
	Year      int // 0: the newest year with results
	Province  string
	Kinds     []domain.AgencyKind
	Source    domain.SPBESource // default published
	Stage     domain.SPBEStage  // default final
}

// RankingRow is one government in a ranking.
type RankingRow struct {
	Rank         int               `json:"rank,omitempty"` // 0 for the province row beside its regencies/cities
	Tied         bool              `json:"tied,omitempty"`
	Government   string            `json:"government"`
	Name         string            `json:"name"`
	Kind         domain.AgencyKind `json:"kind"`
	Index        string            `json:"index"`
	Predicate    string            `json:"predicate"`
	Domains      map[string]string `json:"domains"`
	Previous     string            `json:"previous,omitempty"` // last year's index
	PreviousRank int               `json:"previous_rank,omitempty"`
	Change       string            `json:"change,omitempty"` // signed, e.g. "+0.61"
	Note         string            `json:"note,omitempty"`
}

// GroupAverage is the mean published index of the ranked group in a year.
type GroupAverage struct {
	Year  int    `json:"year"`
	N     int    `json:"n"`
	Mean  string `json:"mean"`  // rounded half-up, e.g. "3.38"
	Exact string `json:"exact"` // the exact mean, e.g. "3.38" or "3.8967"
}

// Ranking is a side-by-side comparison of governments for one year.
type Ranking struct {
	Framework string            `json:"framework"`
	Year      int               `json:"year"`
	Source    domain.SPBESource `json:"source"`
	Stage     domain.SPBEStage  `json:"stage"`
	Province  *RankingRow       `json:"province,omitempty"`
	Rows      []RankingRow      `json:"items"`
	Averages  []GroupAverage    `json:"averages"` // the previous year, then the year
}

var localKinds = []domain.AgencyKind{domain.KindKabupaten, domain.KindKota}

// Ranking ranks governments by their latest index of a year (published
// results unless another source is asked), with last year's value, the
// change and the group's average for both years.
func (s *Service) Ranking(ctx context.Context, q RankingQuery) (Ranking, error) {
	ff, err := s.Framework(q.Framework)
	if err != nil {
		return Ranking{}, err
	}
	fw := ff.Framework
	if q.Source == "" {
		q.Source = domain.SourcePublished
	}
	if q.Stage == "" {
		q.Stage = domain.StageFinal
	}
	for _, k := range q.Kinds {
		if !k.IsGovernment() {
			return Ranking{}, domain.Invalidf("kind", "%q is not a kind of government (provinsi, kabupaten, kota, ministry, agency)", k)
		}
	}
	f := store.IndexResultFilter{Framework: fw.ID, Source: q.Source, Stage: q.Stage, Kinds: q.Kinds}
	var province *domain.Agency
	switch {
	case q.Province != "":
		a, err := s.store.AgencyByCode(ctx, q.Province)
		if err != nil {
			return Ranking{}, err
		}
		if a.Kind != domain.KindProvinsi {
			return Ranking{}, domain.Invalidf("province", "%s is a %s, not a province", a.Code, a.Kind)
		}
		province = &a
		f.ParentCode, f.Kinds = a.Code, localKinds
	case len(q.Kinds) == 0:
		return Ranking{}, domain.Invalid("province", "give a province or kinds of government to rank")
	}
	if q.Year == 0 {
		all, err := s.store.LatestIndexResults(ctx, f)
		if err != nil {
			return Ranking{}, err
		}
		for _, r := range all {
			q.Year = max(q.Year, r.Year)
		}
		if q.Year == 0 {
			return Ranking{}, fmt.Errorf("no %s results to rank: %w", q.Source, domain.ErrNotFound)
		}
	}
	f.Years = []int{q.Year - 1, q.Year}
	results, err := s.store.LatestIndexResults(ctx, f)
	if err != nil {
		return Ranking{}, err
	}
	out := Ranking{Framework: fw.ID, Year: q.Year, Source: q.Source, Stage: q.Stage, Rows: []RankingRow{}}
	dec := fw.Rounding.PublishDecimals
	cur, prev := map[string]domain.SPBEIndexResult{}, map[string]domain.SPBEIndexResult{}
	for _, r := range results {
		if r.Year == q.Year {
			cur[r.Government] = r
		} else {
			prev[r.Government] = r
		}
	}
	entries := make([]spbe.RankEntry, 0, len(cur))
	for code, r := range cur {
		e := spbe.RankEntry{Code: code, Name: r.GovernmentName}
		if e.Index, err = spbe.ParseDecimal(r.Index); err != nil {
			return out, fmt.Errorf("result %d: %w", r.ID, err)
		}
		if p, ok := prev[code]; ok {
			if e.Previous, err = spbe.ParseDecimal(p.Index); err != nil {
				return out, fmt.Errorf("result %d: %w", p.ID, err)
			}
		}
		entries = append(entries, e)
	}
	for _, rk := range spbe.Rank(entries) {
		row := rowOf(cur[rk.Code], prev, dec)
		row.Rank, row.Tied, row.PreviousRank = rk.Rank, rk.Tied, rk.PreviousRank
		out.Rows = append(out.Rows, row)
	}
	for _, y := range []struct {
		year int
		set  map[string]domain.SPBEIndexResult
	}{{q.Year - 1, prev}, {q.Year, cur}} {
		if avg, ok, err := average(y.year, y.set, dec); err != nil {
			return out, err
		} else if ok {
			out.Averages = append(out.Averages, avg)
		}
	}
	if province != nil {
		pf := store.IndexResultFilter{Framework: fw.ID, Source: q.Source, Stage: q.Stage, Governments: []string{province.Code}, Years: f.Years}
		prs, err := s.store.LatestIndexResults(ctx, pf)
		if err != nil {
			return out, err
		}
		pprev := map[string]domain.SPBEIndexResult{}
		for _, r := range prs {
			if r.Year == q.Year-1 {
				pprev[r.Government] = r
			}
		}
		for _, r := range prs {
			if r.Year == q.Year {
				row := rowOf(r, pprev, dec)
				out.Province = &row
			}
		}
		if out.Province == nil {
			out.Province = &RankingRow{Government: province.Code, Name: province.Name, Kind: province.Kind}
		}
	}
	return out, nil
}

func rowOf(r domain.SPBEIndexResult, prev map[string]domain.SPBEIndexResult, dec int) RankingRow {
	row := RankingRow{Government: r.Government, Name: r.GovernmentName, Kind: r.Kind, Index: r.Index, Predicate: r.Predicate, Domains: r.Domains}
	if p, ok := prev[r.Government]; ok {
		row.Previous = p.Index
		a, errA := spbe.ParseDecimal(r.Index)
		b, errB := spbe.ParseDecimal(p.Index)
		if errA == nil && errB == nil {
			row.Change = signed(new(big.Rat).Sub(a, b), dec)
		}
	}
	if len(r.Detail) > 0 {
		var d publishedDetail
		if err := json.Unmarshal(r.Detail, &d); err == nil {
			row.Note = d.Note
		}
	}
	return row
}

// signed prints a change with its sign: "+0.61", "-0.05", "0.00".
func signed(r *big.Rat, dec int) string {
	s := spbe.FormatHalfUp(r, dec)
	if r.Sign() > 0 {
		return "+" + s
	}
	return s
}

func average(year int, set map[string]domain.SPBEIndexResult, dec int) (GroupAverage, bool, error) {
	if len(set) == 0 {
		return GroupAverage{}, false, nil
	}
	codes := make([]string, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	vals := make([]*big.Rat, 0, len(set))
	for _, c := range codes {
		v, err := spbe.ParseDecimal(set[c].Index)
		if err != nil {
			return GroupAverage{}, false, err
		}
		vals = append(vals, v)
	}
	mean, rounded, err := spbe.GroupAverage(vals, dec)
	if err != nil {
		return GroupAverage{}, false, err
	}
	return GroupAverage{Year: year, N: len(vals), Mean: rounded, Exact: exactOrRounded(mean)}, true, nil
}

// exactOrRounded prints a mean exactly when it terminates within 4
// decimals, else to 4 decimals (91.26/27 = 3.38; 105.21/27 ≈ 3.8967).
func exactOrRounded(r *big.Rat) string {
	s := spbe.ExactString(r)
	if len(s) <= 6 && !strings.Contains(s, "/") {
		return s
	}
	return spbe.FormatHalfUp(r, 4)
}
