package spbeindex

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Simulate scores any set of levels under a framework ("" = default).
func (s *Service) Simulate(frameworkID string, levels map[int]int) (spbe.Simulation, error) {
	ff, err := s.Framework(frameworkID)
	if err != nil {
		return spbe.Simulation{}, err
	}
	return spbe.Simulate(ff.Framework, levels)
}

// Granularities of a recommendation.
const (
	GranularityIndicator = "indicator" // from assessed indicator levels: exact
	GranularityDomain    = "domain"    // from published domain indices only: conservative
)

// RecommendRequest asks how a government reaches a target index.
type RecommendRequest struct {
	Framework  string
	Government string
	// Target is the published (2-decimal) index to reach.
	Target *big.Rat
	// Costs[n][k] is the cost of raising indicator n from level
	// level_min+k by one; nil minimises level steps instead.
	Costs map[int][]int64
}

// Basis names the data a recommendation starts from.
type Basis struct {
	Year   int               `json:"year"`
	Stage  domain.SPBEStage  `json:"stage"`
	Source domain.SPBESource `json:"source"` // computed (assessed levels) or published
}

// RecommendedMove raises one indicator (indicator granularity).
type RecommendedMove struct {
	Indicator int    `json:"indicator"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Owner     string `json:"owner,omitempty"`
	From      int    `json:"from"`
	To        int    `json:"to"`
	Steps     int    `json:"steps"`
	Gain      string `json:"gain"`
	Cost      int64  `json:"cost,omitempty"`
}

// DomainMove raises a domain by some indicator level steps (domain
// granularity).
type DomainMove struct {
	Domain string `json:"domain"`
	Name   string `json:"name"`
	Steps  int    `json:"steps"`
	From   string `json:"from"`
	To     string `json:"to"`
	Gain   string `json:"gain"`
}

// Recommendation is the cheapest way found to reach a target.
type Recommendation struct {
	Framework    string            `json:"framework"`
	Government   string            `json:"government"`
	Granularity  string            `json:"granularity"`
	Basis        Basis             `json:"basis"`
	Target       string            `json:"target"`
	From         string            `json:"from"`
	FromExact    string            `json:"from_exact"`
	Reached      string            `json:"reached"`
	ReachedExact string            `json:"reached_exact"`
	AlreadyMeets bool              `json:"already_meets"`
	ByCost       bool              `json:"by_cost"`
	Steps        int               `json:"steps"`
	Cost         int64             `json:"cost,omitempty"`
	Moves        []RecommendedMove `json:"moves,omitempty"`
	DomainMoves  []DomainMove      `json:"domain_moves,omitempty"`
	Note         string            `json:"note,omitempty"`
}

// half is the rounding margin: a published value v is reached by any exact
// index ≥ v − 0.005 (half-up to 2 decimals).
var half = big.NewRat(5, 1000)

// latestLevels finds the newest complete assessment (final before
// self-assessment in the same year; targets are plans, not states).
func (s *Service) latestLevels(ctx context.Context, fw *spbe.Framework, government string) ([]domain.SPBEAssessedLevel, Basis, bool, error) {
	sets, err := s.store.SPBEAssessmentSets(ctx, fw.ID, government)
	if err != nil {
		return nil, Basis{}, false, err
	}
	var best *store.SPBEAssessmentSet
	for i, set := range sets {
		if set.Stage == domain.StageTarget || set.Levels < len(fw.Indicators) {
			continue
		}
		if best == nil || set.Year > best.Year || (set.Year == best.Year && set.Stage == domain.StageFinal) {
			best = &sets[i]
		}
	}
	if best == nil {
		return nil, Basis{}, false, nil
	}
	k := domain.SPBEAssessmentKey{Framework: fw.ID, Government: government, Year: best.Year, Stage: best.Stage}
	levels, err := s.store.AssessedLevels(ctx, k)
	if err != nil {
		return nil, Basis{}, false, err
	}
	return levels, Basis{Year: best.Year, Stage: best.Stage, Source: domain.SourceComputed}, true, nil
}

// latestPublished returns the newest published result of a government.
func (s *Service) latestPublished(ctx context.Context, fw *spbe.Framework, government string) (domain.SPBEIndexResult, bool, error) {
	rs, err := s.store.LatestIndexResults(ctx, store.IndexResultFilter{Framework: fw.ID, Source: domain.SourcePublished, Governments: []string{government}})
	if err != nil || len(rs) == 0 {
		return domain.SPBEIndexResult{}, false, err
	}
	return rs[len(rs)-1], true, nil // ordered by year
}

// Recommend plans the fewest level steps (or, with costs, the least total
// cost) that bring a government's index to the target. It starts from the
// newest complete assessment; when there is none but a published result
// exists, it plans at domain granularity from the published domain indices
// and says so in Note.
func (s *Service) Recommend(ctx context.Context, req RecommendRequest) (Recommendation, error) {
	ff, err := s.Framework(req.Framework)
	if err != nil {
		return Recommendation{}, err
	}
	fw := ff.Framework
	if _, err := s.government(ctx, req.Government); err != nil {
		return Recommendation{}, err
	}
	if req.Target == nil {
		return Recommendation{}, domain.Invalid("target", "is required")
	}
	if req.Target.Sign() <= 0 || req.Target.Cmp(big.NewRat(int64(fw.LevelMax), 1)) > 0 {
		return Recommendation{}, domain.Invalidf("target", "must be above 0 and at most %d", fw.LevelMax)
	}
	dec := fw.Rounding.PublishDecimals
	rec := Recommendation{Framework: fw.ID, Government: req.Government, Target: spbe.FormatHalfUp(req.Target, dec), ByCost: req.Costs != nil}
	aim := new(big.Rat).Sub(req.Target, half)

	levels, basis, ok, err := s.latestLevels(ctx, fw, req.Government)
	if err != nil {
		return rec, err
	}
	if ok {
		owners := map[int]string{}
		for _, l := range levels {
			if l.OwnerCode != "" {
				owners[l.Indicator] = l.OwnerCode
			}
		}
		plan, err := spbe.Recommend(fw, levelMap(levels), aim, req.Costs, owners)
		if err != nil {
			return rec, unreachable(err, rec.Target)
		}
		rec.Granularity, rec.Basis = GranularityIndicator, basis
		rec.From, rec.FromExact = spbe.FormatHalfUp(plan.FromExact, dec), spbe.ExactString(plan.FromExact)
		rec.Reached, rec.ReachedExact = plan.Published, spbe.ExactString(plan.Reached)
		rec.AlreadyMeets, rec.Steps, rec.Cost = plan.AlreadyMeet, plan.Steps, plan.Cost
		for _, m := range plan.Moves {
			rec.Moves = append(rec.Moves, RecommendedMove{Indicator: m.Indicator, Code: m.Code, Name: m.Name, Owner: m.Owner,
				From: m.From, To: m.To, Steps: m.Steps, Gain: spbe.ExactString(m.Gain), Cost: m.Cost})
		}
		return rec, nil
	}

	pub, ok, err := s.latestPublished(ctx, fw, req.Government)
	if err != nil {
		return rec, err
	}
	if !ok {
		return rec, fmt.Errorf("%s has neither a complete assessment nor a published result under %s: %w", req.Government, fw.ID, domain.ErrNotFound)
	}
	domains, err := domainRats(fw, pub)
	if err != nil {
		return rec, err
	}
	plan, err := spbe.RecommendDomains(fw, domains, aim)
	if err != nil {
		return rec, unreachable(err, rec.Target)
	}
	rec.Granularity = GranularityDomain
	rec.Basis = Basis{Year: pub.Year, Stage: pub.Stage, Source: domain.SourcePublished}
	rec.From, rec.FromExact = spbe.FormatHalfUp(plan.FromExact, dec), spbe.ExactString(plan.FromExact)
	rec.Reached, rec.ReachedExact = spbe.FormatHalfUp(plan.Reached, dec), spbe.ExactString(plan.Reached)
	rec.AlreadyMeets = plan.FromExact.Cmp(aim) >= 0
	rec.Steps = plan.Steps
	rec.Note = plan.Note
	if req.Costs != nil {
		rec.ByCost = false
		rec.Note += " Costs per indicator step cannot be used without indicator levels and were ignored."
	}
	for _, m := range plan.Moves {
		rec.DomainMoves = append(rec.DomainMoves, DomainMove{Domain: m.Domain, Name: m.Name, Steps: m.Steps,
			From: spbe.FormatHalfUp(m.From, dec), To: spbe.FormatHalfUp(m.To, dec), Gain: spbe.ExactString(m.Gain)})
	}
	return rec, nil
}

func unreachable(err error, target string) error {
	if errors.Is(err, spbe.ErrUnreachable) {
		return domain.Invalidf("target", "%s cannot be reached from the current levels", target)
	}
	return err
}

// domainRats reads a stored result's domain indices; every domain of the
// framework must be there.
func domainRats(fw *spbe.Framework, r domain.SPBEIndexResult) (map[string]*big.Rat, error) {
	out := make(map[string]*big.Rat, len(fw.Domains))
	for _, d := range fw.Domains {
		v, ok := r.Domains[d.Code]
		if !ok {
			return nil, fmt.Errorf("the %d result of %s lacks domain %s (damaged in the published report): %w", r.Year, r.Government, d.Code, domain.ErrInvalid)
		}
		x, err := spbe.ParseDecimal(v)
		if err != nil {
			return nil, fmt.Errorf("result %d domain %s: %w", r.ID, d.Code, err)
		}
		out[d.Code] = x
	}
	return out, nil
}
