package spbeindex

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
)

// ServiceMetrics supplies the complaint metrics a derived indicator's rule
// reads (complaints_received, verified_share, response_rate, ...: the
// rule's declared inputs) for a government's subtree over [from, to).
// A metric it cannot compute, or a rate below its minimum n, is absent or
// nil. The metric roll-ups implement it; nothing here fakes it.
type ServiceMetrics interface {
	DerivedMetrics(ctx context.Context, government string, from, to time.Time, metrics []string) (map[string]*big.Rat, error)
}

// DerivedIndicator is a derived level beside the assessed one, for display
// and storage with a projected index.
type DerivedIndicator struct {
	Indicator     int               `json:"indicator"`
	Level         int               `json:"level"`
	PendingLevel  int               `json:"pending_level"`
	AssessedLevel int               `json:"assessed_level"`
	Metrics       map[string]string `json:"metrics"`
	Warnings      []DerivedWarning  `json:"warnings,omitempty"`
	Explanation   []string          `json:"explanation"`
	RuleStatus    string            `json:"rule_status"`
	Disclaimer    string            `json:"disclaimer"`
}

// DerivedWarning says why an assessed level is not backed by the data.
type DerivedWarning struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// projectedDetail is stored with a projected index.
type projectedDetail struct {
	Basis Basis `json:"basis"`
	// From is the window's start; its end moves with the clock and is left
	// out so an unchanged projection is not stored again every day.
	From    string             `json:"from"`
	Derived []DerivedIndicator `json:"derived"`
}

// Projection is a projected index with the derived levels it used.
type Projection struct {
	Result  domain.SPBEIndexResult `json:"result"`
	Basis   Basis                  `json:"basis"`
	Derived []DerivedIndicator     `json:"derived"`
	Stored  bool                   `json:"stored"` // false when the same projection was already the latest
}

// jakarta is where evaluation years begin and end.
var jakarta = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
}()

// ProjectIndex projects a government's index for year: its newest complete
// assessment (of that year or, failing that, an earlier one) with each
// derived indicator (42, complaint handling) at the level the complaint data
// of the year backs, through the framework's declarative rule. The result
// is appended to the history as source "projected", stage "final", so a
// change in complaint data that moves the derived level leaves both values
// in the history.
func (s *Service) ProjectIndex(ctx context.Context, actor access.Principal, frameworkID, government string, year int, metrics ServiceMetrics) (Projection, error) {
	ff, err := s.Framework(frameworkID)
	if err != nil {
		return Projection{}, err
	}
	fw := ff.Framework
	if _, err := s.government(ctx, government); err != nil {
		return Projection{}, err
	}
	if err := s.access.RequireWrite(ctx, actor, government); err != nil {
		return Projection{}, err
	}
	if len(fw.Derived) == 0 {
		return Projection{}, domain.Invalidf("framework", "%s has no derived indicators to project with", fw.ID)
	}
	levels, basis, err := s.levelsUpTo(ctx, fw, government, year)
	if err != nil {
		return Projection{}, err
	}
	now := s.now()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, jakarta)
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, jakarta)
	if now.Before(to) {
		to = now.In(jakarta)
	}
	if !from.Before(to) {
		return Projection{}, domain.Invalidf("year", "%d has not started", year)
	}
	projected := levelMap(levels)
	byIndicator := map[int]domain.SPBEAssessedLevel{}
	for _, l := range levels {
		byIndicator[l.Indicator] = l
	}
	var derived []DerivedIndicator
	for _, rule := range fw.Derived {
		names := make([]string, len(rule.Inputs))
		for i, in := range rule.Inputs {
			names[i] = in.Metric
		}
		m, err := metrics.DerivedMetrics(ctx, government, from, to, names)
		if err != nil {
			return Projection{}, fmt.Errorf("metrics of %s: %w", government, err)
		}
		assessed := byIndicator[rule.Indicator]
		res, err := spbe.DeriveLevel(rule, spbe.DerivedInputs{Metrics: m, Confirmations: assessed.Confirmations, AssessedLevel: assessed.Level})
		if err != nil {
			return Projection{}, err
		}
		derived = append(derived, derivedOf(res, m))
		projected[rule.Indicator] = max(res.Level, fw.LevelMin)
	}
	score, err := spbe.Score(fw, projected)
	if err != nil {
		return Projection{}, err
	}
	out := Projection{Basis: basis, Derived: derived}
	out.Result = resultFrom(ff, government, year, domain.StageFinal, domain.SourceProjected, score)
	detail := projectedDetail{Basis: basis, From: from.Format(time.RFC3339), Derived: derived}
	if out.Result.Detail, err = marshalDetail(detail); err != nil {
		return out, err
	}
	out.Result.ComputedAt = now.UTC()
	out.Stored, err = s.store.AppendIndexResult(ctx, out.Result)
	return out, err
}

// levelsUpTo is the newest complete non-target assessment of year or before.
func (s *Service) levelsUpTo(ctx context.Context, fw *spbe.Framework, government string, year int) ([]domain.SPBEAssessedLevel, Basis, error) {
	sets, err := s.store.SPBEAssessmentSets(ctx, fw.ID, government)
	if err != nil {
		return nil, Basis{}, err
	}
	sort.SliceStable(sets, func(i, j int) bool {
		if sets[i].Year != sets[j].Year {
			return sets[i].Year > sets[j].Year
		}
		return sets[i].Stage == domain.StageFinal && sets[j].Stage != domain.StageFinal
	})
	for _, set := range sets {
		if set.Year > year || set.Stage == domain.StageTarget || set.Levels < len(fw.Indicators) {
			continue
		}
		k := domain.SPBEAssessmentKey{Framework: fw.ID, Government: government, Year: set.Year, Stage: set.Stage}
		levels, err := s.store.AssessedLevels(ctx, k)
		if err != nil {
			return nil, Basis{}, err
		}
		return levels, Basis{Year: set.Year, Stage: set.Stage, Source: domain.SourceComputed}, nil
	}
	return nil, Basis{}, fmt.Errorf("%s has no complete assessment for %d or before: %w", government, year, domain.ErrNotFound)
}

func derivedOf(res spbe.DerivedResult, m map[string]*big.Rat) DerivedIndicator {
	d := DerivedIndicator{Indicator: res.Indicator, Level: res.Level, PendingLevel: res.PendingLevel, AssessedLevel: res.AssessedLevel,
		Metrics: map[string]string{}, Explanation: res.Explain(), RuleStatus: res.RuleStatus, Disclaimer: res.Disclaimer}
	for k, v := range m {
		if v != nil {
			d.Metrics[k] = v.FloatString(4)
		}
	}
	for _, w := range res.Warnings {
		d.Warnings = append(d.Warnings, DerivedWarning{ID: w.ID, Severity: w.Severity, Message: w.Message})
	}
	return d
}
