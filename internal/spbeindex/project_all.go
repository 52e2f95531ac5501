package spbeindex

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// jobPrincipal is the actor of the scheduled index job.
var jobPrincipal = access.Principal{Name: "job:index", Role: access.RoleAdmin}

// ProjectAllReport says what ProjectAll did.
type ProjectAllReport struct {
	Year        int `json:"year"`
	Governments int `json:"governments"` // governments looked at
	// Projected governments have a complete assessment to project from;
	// Stored of them got a new history entry (the rest were unchanged).
	Projected int `json:"projected"`
	Stored    int `json:"stored"`
	// WithoutLevels have no complete assessment (published results carry
	// domain indices only, not the indicator levels a projection replaces
	// indicator 42 in), so they are not projected.
	WithoutLevels int      `json:"without_levels"`
	Failed        int      `json:"failed"`
	Failures      []string `json:"failures,omitempty"`
}

// ProjectAll projects the index of year for every
// government that has a complete non-target assessment of that year or an
// earlier one (ProjectIndex's basis), with the derived indicator from
// metrics. Governments with published results only are counted in
// WithoutLevels and skipped: a published result has no indicator levels to
// put the derived level into. A failing government is counted and logged
// and the others go on. The daily index job runs it for the current year
// (ProjectionYear).
func (s *Service) ProjectAll(ctx context.Context, year int, metrics ServiceMetrics, log *slog.Logger) (ProjectAllReport, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep := ProjectAllReport{Year: year}
	ff, err := s.Framework("")
	if err != nil {
		return rep, err
	}
	fw := ff.Framework
	govs, _, err := s.store.ListAgencies(ctx, store.AgencyFilter{Kinds: []domain.AgencyKind{domain.KindProvinsi, domain.KindKabupaten,
		domain.KindKota, domain.KindMinistry, domain.KindAgency}})
	if err != nil {
		return rep, err
	}
	for _, g := range govs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Governments++
		sets, err := s.store.SPBEAssessmentSets(ctx, fw.ID, g.Code)
		if err != nil {
			return rep, err
		}
		complete := false
		for _, set := range sets {
			complete = complete || (set.Year <= rep.Year && set.Stage != domain.StageTarget && set.Levels >= len(fw.Indicators))
		}
		if !complete {
			rep.WithoutLevels++
			continue
		}
		p, err := s.ProjectIndex(ctx, jobPrincipal, fw.ID, g.Code, rep.Year, metrics)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, domain.ErrUnavailable) {
				return rep, err
			}
			rep.Failed++
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %v", g.Code, err))
			log.ErrorContext(ctx, "index projection failed", "government", g.Code, "err", err)
			continue
		}
		rep.Projected++
		if p.Stored {
			rep.Stored++
		}
	}
	log.InfoContext(ctx, "projected indices", "year", rep.Year, "governments", rep.Governments, "projected", rep.Projected,
		"stored", rep.Stored, "without_levels", rep.WithoutLevels, "failed", rep.Failed)
	if rep.Failed > 0 {
		return rep, fmt.Errorf("%d of %d projections failed, first: %s", rep.Failed, rep.Projected+rep.Failed, rep.Failures[0])
	}
	return rep, nil
}

// ProjectionYear is the evaluation year now falls in (Jakarta).
func ProjectionYear(now time.Time) int { return now.In(jakarta).Year() }
