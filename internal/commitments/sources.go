package commitments

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

// RateQuery asks for one complaint metric of an agency and every unit beneath
// it, over the calendar dates From..To (both included, the agency's local dates).
type RateQuery struct {
	Agency string
	Metric domain.Metric
	// WithinDays is the target's own working-day limit; 0 means the legal limit.
	WithinDays int
	From, To   time.Time
}

// RateSource is what measurement needs of the complaint metrics.
//
// DailyCounts returns, per calendar day of the range, the cohort and how many
// of it met the rule, as known on To:
//   - lapor_response_rate: complaints received that day / those that got a first response;
//   - first_response_on_time, completion_on_time: clocks due that day (the roll-ups'
//     deadline cohort) / those met in time — within WithinDays working days when it is
//     set (the roll-ups' per-working-day histograms, `within=N`), else the legal limit.
//
// Days without complaints may be left out. Level returns a level metric over the range:
//   - median_first_response_days: the median working days to the first response of
//     answers given in the range (n = answers; WithinDays is ignored);
//   - overdue_open: running clocks past their deadline on To (n = open clocks).
//
// A nil value means the source has no figure (e.g. no answers).
type RateSource interface {
	DailyCounts(ctx context.Context, q RateQuery) ([]commitment.DailyCount, error)
	Level(ctx context.Context, q RateQuery) (value *float64, n int, err error)
}

// IndexPoint is one SPBE index value of a government: an official result of
// an evaluation year (dated at the end of that year) or a projection (dated
// when it was computed).
type IndexPoint struct {
	Year   int               `json:"year"`
	At     time.Time         `json:"at"`
	Value  float64           `json:"value"`
	Source domain.SPBESource `json:"source"`
}

// Official reports whether the point is an evaluation result, not a projection.
func (p IndexPoint) Official() bool { return p.Source != domain.SourceProjected }

// IndexSource is what measurement needs of the SPBE index: a government's
// values of spbe_index or spbe_domain:<code>, oldest first.
type IndexSource interface {
	IndexPoints(ctx context.Context, government string, metric domain.Metric) ([]IndexPoint, error)
}

// IndexHistory is the part of spbeindex.Service the adapter reads.
type IndexHistory interface {
	History(ctx context.Context, government string) ([]domain.SPBEIndexResult, error)
}

// SPBEIndex adapts the SPBE index service: final-stage results, published or
// computed from assessments, are official points at the end of their
// evaluation year; projected results are points on the day they were computed.
type SPBEIndex struct{ History IndexHistory }

var _ IndexHistory = (*spbeindex.Service)(nil)

// IndexPoints implements IndexSource.
func (a SPBEIndex) IndexPoints(ctx context.Context, government string, metric domain.Metric) ([]IndexPoint, error) {
	hist, err := a.History.History(ctx, government)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	code, isDomain := metric.SPBEDomain()
	byKey := map[string]IndexPoint{}
	for _, r := range hist {
		if r.Stage != domain.StageFinal {
			continue
		}
		text := r.Index
		if isDomain {
			text = r.Domains[code]
		}
		v, err := strconv.ParseFloat(text, 64)
		if text == "" || err != nil {
			continue
		}
		p := IndexPoint{Year: r.Year, Value: v, Source: r.Source, At: time.Date(r.Year, 12, 31, 0, 0, 0, 0, time.UTC)}
		if r.Source == domain.SourceProjected {
			p.At = time.Date(r.ComputedAt.Year(), r.ComputedAt.Month(), r.ComputedAt.Day(), 0, 0, 0, 0, time.UTC)
		}
		// A published result outranks one computed from assessments for the same year;
		// history is oldest first, so a later projection of a day replaces an earlier one.
		key := strconv.Itoa(p.Year) + "/" + p.At.Format(time.DateOnly)
		if p.Official() {
			key = strconv.Itoa(p.Year)
			if old, ok := byKey[key]; ok && old.Source == domain.SourcePublished && p.Source != domain.SourcePublished {
				continue
			}
		}
		byKey[key] = p
	}
	out := make([]IndexPoint, 0, len(byKey))
	for _, p := range byKey {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b IndexPoint) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return a.Year - b.Year
	})
	return out, nil
}
