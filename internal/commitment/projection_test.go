package commitment

import (
	"math"
	"strings"
	"testing"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestProjectLevel(t *testing.T) {
	// Snapshots at days 0, 10, 20, 30 with values 4.10, 4.30, 4.20, 4.40: x̄ = 15, ȳ = 4.25,
	// Sxy = 0.4, Sxx = 500 → slope 0.0008·10 = 0.008 a day, intercept 4.13.
	// Deadline 1 March 2024 is day 60: 4.13 + 0.48 = 4.61. Target 4.5 at day 0.37/0.008 = 46.25 → day 47 = 17 Feb.
	olsSnaps := []Observation{
		{At: d("2024-01-01"), Value: 4.10}, {At: d("2024-01-11"), Value: 4.30},
		{At: d("2024-01-21"), Value: 4.20}, {At: d("2024-01-31"), Value: 4.40},
		{At: d("2024-02-15"), Value: 9.9}, // after asOf: ignored
	}
	olsTarget := domain.Target{ID: "idx", Metric: domain.MetricSPBEIndex, Baseline: 4.1, BaselineAsOf: d("2024-01-01"),
		Value: 4.5, Direction: domain.DirectionIncrease, Deadline: d("2024-03-01")}

	// Jawa Barat province published results: 4.14 (2023) and 4.73 (2024), dated at year end (366 days apart).
	jabarEvals := []Observation{{At: d("2023-12-31"), Value: 4.14}, {At: d("2024-12-31"), Value: 4.73}}
	jabarTarget := domain.Target{ID: "prov", Metric: domain.MetricSPBEIndex, Baseline: 4.14, BaselineAsOf: d("2023-12-31"),
		Value: 5.0, Direction: domain.DirectionIncrease, Deadline: d("2025-12-31")}
	perDay := 0.59 / 366

	daysTarget := domain.Target{ID: "days", Metric: domain.MetricMedianFirstResponseDays, Baseline: 10, BaselineAsOf: d("2024-01-01"),
		Value: 5, Direction: domain.DirectionDecrease, Deadline: d("2024-06-30")}

	tests := []struct {
		name       string
		target     domain.Target
		snaps      []Observation
		evals      []Observation
		asOf       string
		basis      string
		slopeYear  *float64
		atDeadline *float64
		reaches    string
		noteHas    string
		methodHas  string
	}{
		{
			name: "ols", target: olsTarget, snaps: olsSnaps, asOf: "2024-02-01",
			basis: BasisOLS, slopeYear: f(0.008 * 365.25), atDeadline: f(4.61), reaches: "2024-02-17", methodHas: "4 snapshots",
		},
		{
			// 2024-12-31 + 0.27/(0.59/366) = 167.5 → 168 days = 17 June 2025; deadline value 4.73 + 365·0.59/366.
			name: "between evaluations", target: jabarTarget, evals: jabarEvals, asOf: "2025-03-01",
			basis: BasisBetweenEvaluations, slopeYear: f(perDay * 365.25), atDeadline: f(4.73 + 365*perDay), reaches: "2025-06-17",
			methodHas: "2023-12-31 (4.14) and 2024-12-31 (4.73)",
		},
		{
			// The baseline counts as the earlier evaluation.
			name: "baseline as the earlier evaluation", target: jabarTarget, evals: jabarEvals[1:], asOf: "2025-03-01",
			basis: BasisBetweenEvaluations, slopeYear: f(perDay * 365.25), atDeadline: f(4.73 + 365*perDay), reaches: "2025-06-17",
		},
		{
			// One snapshot newer than the evaluations anchors the line: 4.80 on 1 Feb 2025,
			// 333 days to the deadline; 0.2/(0.59/366) = 124.07 → 125 days = 6 June 2025.
			name: "one snapshot anchors the evaluation trend", target: jabarTarget, evals: jabarEvals, asOf: "2025-03-01",
			snaps: []Observation{{At: d("2025-02-01"), Value: 4.80}},
			basis: BasisBetweenEvaluations, slopeYear: f(perDay * 365.25), atDeadline: f(4.80 + 333*perDay), reaches: "2025-06-06",
		},
		{
			name: "one point only", target: jabarTarget, evals: jabarEvals[:1], asOf: "2025-03-01",
			basis: BasisNone, noteHas: "fewer than two",
		},
		{
			name: "two snapshots on the same day are one point", target: jabarTarget, asOf: "2025-03-01",
			snaps: []Observation{{At: d("2025-02-01"), Value: 4.8}, {At: d("2025-02-01"), Value: 4.9}},
			evals: jabarEvals[:1], basis: BasisNone,
		},
		{
			// Exact fit 10, 9, 8 at days 0, 10, 20: −0.1 a day; 5 days reached at day 50 = 20 Feb 2024.
			// Deadline 30 June is day 181: 10 − 18.1 = −8.1 (a straight line knows no floor).
			name: "decrease", target: daysTarget, asOf: "2024-01-25",
			snaps: []Observation{{At: d("2024-01-01"), Value: 10}, {At: d("2024-01-11"), Value: 9}, {At: d("2024-01-21"), Value: 8}},
			basis: BasisOLS, slopeYear: f(-0.1 * 365.25), atDeadline: f(10 - 18.1), reaches: "2024-02-20",
		},
		{
			name: "trend moves away", target: daysTarget, asOf: "2024-01-25",
			snaps: []Observation{{At: d("2024-01-01"), Value: 8}, {At: d("2024-01-11"), Value: 9}},
			basis: BasisOLS, slopeYear: f(0.1 * 365.25), atDeadline: f(8 + 18.1), noteHas: "does not move toward",
		},
		{
			// Already past the target on the fitted line: the crossing day is reported even though it is past.
			name: "line crossed the target before today", target: olsTarget, asOf: "2024-02-29",
			snaps: []Observation{{At: d("2024-01-01"), Value: 4.4}, {At: d("2024-01-11"), Value: 4.6}},
			basis: BasisOLS, slopeYear: f(0.02 * 365.25), atDeadline: f(4.4 + 0.02*60), reaches: "2024-01-06",
		},
		{
			name: "flat far from the target", target: olsTarget, asOf: "2024-02-29",
			snaps: []Observation{{At: d("2024-01-01"), Value: 4.2}, {At: d("2024-01-11"), Value: 4.2000000001}},
			basis: BasisOLS, slopeYear: f(0.00000000001 * 365.25), atDeadline: f(4.2), noteHas: "100 years",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ProjectLevel(tt.target, tt.snaps, tt.evals, d(tt.asOf))
			if p.Basis != tt.basis {
				t.Fatalf("basis %s, want %s (%s; %s)", p.Basis, tt.basis, p.Method, p.Note)
			}
			checkFloat(t, "slope per year", p.SlopePerYear, tt.slopeYear)
			checkFloat(t, "value at deadline", p.ValueAtDeadline, tt.atDeadline)
			checkDate(t, "reaches target", p.ReachesTargetOn, tt.reaches)
			if !strings.Contains(p.Note, tt.noteHas) {
				t.Errorf("note %q lacks %q", p.Note, tt.noteHas)
			}
			if !strings.Contains(p.Method, tt.methodHas) || p.Method == "" {
				t.Errorf("method %q lacks %q", p.Method, tt.methodHas)
			}
		})
	}
}

// Shifting every value by a constant must shift the projection by the same
// constant and leave the slope and reach date alone (days are counted from
// the first snapshot and the sums are centred, so magnitude costs no precision).
func TestProjectLevelStable(t *testing.T) {
	base := []Observation{
		{At: d("2024-01-01"), Value: 0.10}, {At: d("2024-01-11"), Value: 0.30},
		{At: d("2024-01-21"), Value: 0.20}, {At: d("2024-01-31"), Value: 0.40},
	}
	for _, shift := range []float64{0, 4, 1e6, 1e9} {
		snaps := make([]Observation, len(base))
		for i, o := range base {
			snaps[i] = Observation{At: o.At, Value: o.Value + shift}
		}
		target := domain.Target{ID: "x", Metric: domain.MetricSPBEIndex, Value: shift + 0.5,
			Direction: domain.DirectionIncrease, Deadline: d("2024-03-01")}
		p := ProjectLevel(target, snaps, nil, d("2024-02-01"))
		if p.SlopePerYear == nil || math.Abs(*p.SlopePerYear/365.25-0.008) > 1e-7 {
			t.Errorf("shift %g: slope %v a year, want %v", shift, fmtPtr(p.SlopePerYear), 0.008*365.25)
		}
		if p.ValueAtDeadline == nil || math.Abs(*p.ValueAtDeadline-shift-0.61) > 1e-5 {
			t.Errorf("shift %g: deadline value %v, want %v", shift, fmtPtr(p.ValueAtDeadline), shift+0.61)
		}
		checkDate(t, "reaches", p.ReachesTargetOn, "2024-02-17")
	}
}
