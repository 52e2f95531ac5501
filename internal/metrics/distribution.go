package metrics

import (
	"context"

	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Distribution is how many working days an agency's (or subtree's) clocks
// took in a period: the stored histograms behind the medians.
type Distribution struct {
	Period        stats.Period    `json:"period"`
	FirstResponse stats.Histogram `json:"first_response"`
	Completion    stats.Histogram `json:"completion"`
}

// Distribution returns the working-days histograms of an agency for a
// period (empty: rolling90). It reads one roll-up row, never complaints.
func (s *Service) Distribution(ctx context.Context, code, period string, subtree bool) (Distribution, error) {
	p, err := s.parsePeriod(period)
	if err != nil {
		return Distribution{}, err
	}
	a, err := s.agency(ctx, code)
	if err != nil {
		return Distribution{}, err
	}
	rows, err := s.store.Rollups(ctx, store.RollupFilter{Scope: scopeOf(subtree), AgencyIDs: []int64{a.ID}, Keys: []string{p.Key}})
	if err != nil {
		return Distribution{}, err
	}
	d := Distribution{Period: p}
	if len(rows) > 0 {
		d.FirstResponse, d.Completion = rows[0].FirstResponseDays, rows[0].CompletionDays
	}
	return d, nil
}
