package commitment

import (
	"fmt"
	"math"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// DailyCount is one day of a rate metric: complaints in the cohort (N) and how
// many met the rule (Successes); failures are late or unanswered ones.
type DailyCount struct {
	Date      time.Time `json:"date"`
	N         int       `json:"n"`
	Successes int       `json:"successes"`
}

// BudgetMethod states how ErrorBudget computes its figures.
const BudgetMethod = "Volume so far is projected to the end of the period at the average daily volume " +
	"(calendar days elapsed, today included). Allowed failures = projected volume × (1 − target rate); " +
	"remaining = allowed − failures so far; can absorb = remaining rounded down. " +
	"Burn rate over a window = failure share in the window ÷ (1 − target rate): 1 spends the budget " +
	"exactly by the period's end, 2 twice as fast. Windows are the last 7 and 30 days within the period. " +
	"Runs out on: the first day the failures at the last 7 days' daily pace exceed the remaining budget."

// ErrorBudget says how many more failures a rate target's period can absorb.
// Figures that need volume are null while the period has none.
type ErrorBudget struct {
	Period     stats.Period `json:"period"`
	AsOf       time.Time    `json:"as_of"`
	TargetRate float64      `json:"target_rate"`
	Rate       stats.Rate   `json:"rate"`
	N          int          `json:"n"`
	Successes  int          `json:"successes"`
	Failures   int          `json:"failures"`

	ProjectedN      *float64 `json:"projected_n"`
	AllowedFailures *float64 `json:"allowed_failures"`
	Remaining       *float64 `json:"remaining"`
	CanAbsorb       *int     `json:"can_absorb"`
	Exhausted       bool     `json:"exhausted"`

	BurnRate7  *float64   `json:"burn_rate_7d"`
	BurnRate30 *float64   `json:"burn_rate_30d"`
	RunsOutOn  *time.Time `json:"runs_out_on"`

	Method string `json:"method"`
	Note   string `json:"note,omitempty"`
}

// ComputeErrorBudget computes the error budget of a target rate (met when the
// share of successes is at least targetRate) over period p as of asOf's date,
// from a daily series. Days outside the period or after asOf are ignored; a
// date may appear more than once (its counts add up).
func ComputeErrorBudget(targetRate float64, p stats.Period, daily []DailyCount, asOf time.Time) (ErrorBudget, error) {
	if math.IsNaN(targetRate) || targetRate < 0 || targetRate > 1 {
		return ErrorBudget{}, domain.Invalidf("target_rate", "a rate is a share between 0 and 1, got %v", targetRate)
	}
	today := date(asOf)
	b := ErrorBudget{Period: p, AsOf: today, TargetRate: targetRate, Method: BudgetMethod}
	if today.Before(p.Start) {
		b.Rate = stats.NewRate(0, 0, 0)
		b.Note = "the period has not started"
		return b, nil
	}
	last := p.End
	if today.Before(last) {
		last = today
	}
	elapsed := days(p.Start, last) + 1
	var w7, w30 window
	for i, d := range daily {
		if d.N < 0 || d.Successes < 0 || d.Successes > d.N {
			return ErrorBudget{}, domain.Invalidf("daily", "day %d (%s): %d successes of %d", i, date(d.Date).Format(time.DateOnly), d.Successes, d.N)
		}
		day := date(d.Date)
		if day.Before(p.Start) || day.After(last) {
			continue
		}
		b.N += d.N
		b.Successes += d.Successes
		age := days(day, last) // 0 for the last day
		if age < 7 {
			w7.add(d)
		}
		if age < 30 {
			w30.add(d)
		}
	}
	b.Failures = b.N - b.Successes
	b.Rate = stats.NewRate(b.Successes, b.N, 0)
	allowedShare := 1 - targetRate
	b.BurnRate7, b.BurnRate30 = w7.burn(allowedShare), w30.burn(allowedShare)

	if b.N == 0 {
		b.Note = "no complaints in the period so far: the budget is undefined until there is volume"
		return b, nil
	}
	projected := float64(b.N) * float64(p.Days()) / float64(elapsed)
	allowed := projected * allowedShare
	remaining := allowed - float64(b.Failures)
	canAbsorb := 0
	if remaining >= -eps {
		canAbsorb = int(math.Floor(remaining + eps))
	}
	b.ProjectedN, b.AllowedFailures, b.Remaining, b.CanAbsorb = &projected, &allowed, &remaining, &canAbsorb
	b.Exhausted = remaining < -eps

	switch pace := float64(w7.failures) / float64(min(7, elapsed)); {
	case b.Exhausted:
		b.Note = "the budget is spent: the target rate cannot be met at the projected volume"
	case today.After(p.End):
		b.Note = "the period is over"
	case pace == 0:
		b.Note = "no failures in the last 7 days: the budget lasts at this pace"
	default:
		// First whole day k on which k·pace exceeds the remaining budget.
		k := int(math.Floor(remaining/pace+eps)) + 1
		if out := today.AddDate(0, 0, k); !out.After(p.End) {
			b.RunsOutOn = &out
		} else {
			b.Note = fmt.Sprintf("at %.2g failures a day the budget lasts the period", pace)
		}
	}
	return b, nil
}

type window struct{ n, failures int }

func (w *window) add(d DailyCount) { w.n += d.N; w.failures += d.N - d.Successes }

// burn is nil without volume, or when the target allows no failure at all
// (any failure is then an infinite burn, which JSON cannot carry).
func (w window) burn(allowedShare float64) *float64 {
	if w.n == 0 || allowedShare <= 0 {
		return nil
	}
	v := float64(w.failures) / float64(w.n) / allowedShare
	return &v
}
