package spbeindex

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
)

// DomainValue is one domain's index with its names.
type DomainValue struct {
	Code   string `json:"code"`
	NameID string `json:"name_id"`
	NameEN string `json:"name_en"`
	Value  string `json:"value"`
}

// Overview is everything a government's SPBE page shows.
type Overview struct {
	Agency    domain.Agency            `json:"agency"`
	Framework string                   `json:"framework"`
	History   []domain.SPBEIndexResult `json:"history"`
	// Latest is the newest final result: published, else computed.
	Latest  *domain.SPBEIndexResult `json:"latest,omitempty"`
	Domains []DomainValue           `json:"domains,omitempty"`
	// Derived is the derived indicator beside the assessed one, from the
	// newest projection (empty until one was made).
	Derived []DerivedIndicator `json:"derived,omitempty"`
	// NextPredicate is the band above Latest's and Recommendation the plan
	// to reach it (nil at the top band or without data).
	NextPredicate  *spbe.Predicate `json:"next_predicate,omitempty"`
	Recommendation *Recommendation `json:"recommendation,omitempty"`
}

// Overview collects a government's history, domains, derived indicator and
// a recommendation to reach the next predicate band.
func (s *Service) Overview(ctx context.Context, code string) (Overview, error) {
	ff, err := s.Framework("")
	if err != nil {
		return Overview{}, err
	}
	fw := ff.Framework
	a, err := s.government(ctx, code)
	if err != nil {
		return Overview{}, err
	}
	hist, err := s.store.IndexHistory(ctx, code, fw.ID)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Agency: a, Framework: fw.ID, History: hist}
	for i := range hist {
		r := hist[i]
		switch {
		case r.Stage != domain.StageFinal || r.Source == domain.SourceProjected:
		case ov.Latest == nil || r.Year > ov.Latest.Year || (r.Year == ov.Latest.Year && r.Source == domain.SourcePublished):
			ov.Latest = &hist[i]
		}
		if r.Source == domain.SourceProjected && len(r.Detail) > 0 {
			var d projectedDetail
			if err := json.Unmarshal(r.Detail, &d); err == nil {
				ov.Derived = d.Derived // history is oldest first: the newest wins
			}
		}
	}
	if ov.Latest == nil {
		return ov, nil
	}
	for _, d := range fw.Domains {
		if v, ok := ov.Latest.Domains[d.Code]; ok {
			ov.Domains = append(ov.Domains, DomainValue{Code: d.Code, NameID: d.NameID, NameEN: d.NameEN, Value: v})
		}
	}
	cur, err := spbe.ParseDecimal(ov.Latest.Index)
	if err != nil {
		return ov, err
	}
	for i := range fw.Predicates {
		p := fw.Predicates[i]
		if p.Min.Rat().Cmp(cur) > 0 && (ov.NextPredicate == nil || p.Min.Rat().Cmp(ov.NextPredicate.Min.Rat()) < 0) {
			ov.NextPredicate = &p
		}
	}
	if ov.NextPredicate == nil {
		return ov, nil
	}
	rec, err := s.Recommend(ctx, RecommendRequest{Framework: fw.ID, Government: code, Target: ov.NextPredicate.Min.Rat()})
	switch {
	case err == nil:
		ov.Recommendation = &rec
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrNotFound):
		// a damaged published row or an unreachable band: no plan to show
	default:
		return ov, err
	}
	return ov, nil
}
