package commitment

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// januarySeries: 10 complaints a day through January 2024, all on time until
// the 16th, then 2 late a day (15 days × 2 = 30 late), plus a bad day in
// February that must be ignored when measuring as of 31 January.
func januarySeries() []DailyCount {
	var out []DailyCount
	for day := 1; day <= 31; day++ {
		s := 10
		if day >= 17 {
			s = 8
		}
		out = append(out, DailyCount{Date: time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC), N: 10, Successes: s})
	}
	return append(out, DailyCount{Date: d("2024-02-05"), N: 50, Successes: 0})
}

func TestErrorBudget(t *testing.T) {
	q1 := stats.QuarterPeriod(2024, 1) // 91 days (leap year)
	type want struct {
		n, failures        int
		projected, allowed *float64
		remaining          *float64
		canAbsorb          *int
		exhausted          bool
		burn7, burn30      *float64
		runsOut            string
		noteHas            string
	}
	ip := func(v int) *int { return &v }
	tests := []struct {
		name   string
		target float64
		daily  []DailyCount
		asOf   string
		want   want
	}{
		{
			// 310 complaints in 31 of 91 days → 910 projected; 10 % of 910 = 91 allowed; 30 used → 61 left.
			// Last 7 days: 14 late of 70 = 20 % → burn 2.0; last 30 days: 30 of 300 = 10 % → burn 1.0.
			// 2 late a day spends 61 on day 31 (62 > 61): 31 Jan + 31 days = 2 March.
			name: "runs out in March", target: 0.9, daily: januarySeries(), asOf: "2024-01-31",
			want: want{n: 310, failures: 30, projected: f(910), allowed: f(91), remaining: f(61), canAbsorb: ip(61),
				burn7: f(2.0), burn30: f(1.0), runsOut: "2024-03-02"},
		},
		{
			// 20 % allowed: 182 allowed, 152 left, 76 days at 2 a day → day 77 = 17 April, after the quarter.
			name: "budget lasts the period", target: 0.8, daily: januarySeries(), asOf: "2024-01-31",
			want: want{n: 310, failures: 30, projected: f(910), allowed: f(182), remaining: f(152), canAbsorb: ip(152),
				burn7: f(1.0), burn30: f(0.5), noteHas: "lasts the period"},
		},
		{
			// 3 % of 910 = 27.3 allowed, 30 used.
			name: "exhausted", target: 0.97, daily: januarySeries(), asOf: "2024-01-31",
			want: want{n: 310, failures: 30, projected: f(910), allowed: f(910 * 0.03), remaining: f(910*0.03 - 30), canAbsorb: ip(0),
				exhausted: true, burn7: f(0.2 / 0.03), burn30: f(0.1 / 0.03), noteHas: "spent"},
		},
		{
			name: "no failure allowed", target: 1, daily: januarySeries(), asOf: "2024-01-31",
			want: want{n: 310, failures: 30, projected: f(910), allowed: f(0), remaining: f(-30), canAbsorb: ip(0), exhausted: true},
		},
		{
			name: "zero volume", target: 0.9, asOf: "2024-02-10",
			daily: []DailyCount{{Date: d("2024-01-05"), N: 0, Successes: 0}},
			want:  want{noteHas: "no complaints in the period"},
		},
		{
			name: "period not started", target: 0.9, daily: januarySeries(), asOf: "2023-12-20",
			want: want{noteHas: "not started"},
		},
		{
			// After the quarter: the volume is final (310) and 31 allowed; the windows hold only late March, empty.
			name: "period over", target: 0.9, daily: januarySeries()[:31], asOf: "2024-04-10",
			want: want{n: 310, failures: 30, projected: f(310), allowed: f(31), remaining: f(1), canAbsorb: ip(1), noteHas: "over"},
		},
		{
			// Day 3 of 91: 30 complaints → 910 projected, 91 allowed, 1 late → 90 left.
			// Windows hold the 3 days: 1/30 late → burn 1/3. Pace 1/3 a day lasts 271 days.
			name: "first days of the period", target: 0.9, asOf: "2024-01-03",
			daily: []DailyCount{{Date: d("2024-01-01"), N: 10, Successes: 10}, {Date: d("2024-01-02"), N: 10, Successes: 10}, {Date: d("2024-01-03"), N: 10, Successes: 9}},
			want: want{n: 30, failures: 1, projected: f(910), allowed: f(91), remaining: f(90), canAbsorb: ip(90),
				burn7: f(1.0 / 3), burn30: f(1.0 / 3), noteHas: "lasts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ComputeErrorBudget(tt.target, q1, tt.daily, d(tt.asOf))
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			if b.N != w.n || b.Failures != w.failures || b.Successes != w.n-w.failures {
				t.Errorf("n %d failures %d successes %d, want %d %d %d", b.N, b.Failures, b.Successes, w.n, w.failures, w.n-w.failures)
			}
			checkFloat(t, "projected", b.ProjectedN, w.projected)
			checkFloat(t, "allowed", b.AllowedFailures, w.allowed)
			checkFloat(t, "remaining", b.Remaining, w.remaining)
			if (b.CanAbsorb == nil) != (w.canAbsorb == nil) || (b.CanAbsorb != nil && *b.CanAbsorb != *w.canAbsorb) {
				t.Errorf("can absorb = %v, want %v", derefInt(b.CanAbsorb), derefInt(w.canAbsorb))
			}
			if b.Exhausted != w.exhausted {
				t.Errorf("exhausted = %v, want %v", b.Exhausted, w.exhausted)
			}
			checkFloat(t, "burn 7d", b.BurnRate7, w.burn7)
			checkFloat(t, "burn 30d", b.BurnRate30, w.burn30)
			checkDate(t, "runs out", b.RunsOutOn, w.runsOut)
			if !strings.Contains(b.Note, w.noteHas) {
				t.Errorf("note %q lacks %q", b.Note, w.noteHas)
			}
			if w.n == 0 && (b.Rate.Value != nil || b.CanAbsorb != nil || b.RunsOutOn != nil) {
				t.Errorf("zero volume produced figures: %+v", b)
			}
			if b.Method == "" {
				t.Error("method not stated")
			}
		})
	}
}

func TestErrorBudgetInvalid(t *testing.T) {
	q1 := stats.QuarterPeriod(2024, 1)
	if _, err := ComputeErrorBudget(1.5, q1, nil, d("2024-01-10")); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("target 1.5: %v, want ErrInvalid", err)
	}
	bad := []DailyCount{{Date: d("2024-01-02"), N: 3, Successes: 4}}
	if _, err := ComputeErrorBudget(0.9, q1, bad, d("2024-01-10")); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("4 of 3: %v, want ErrInvalid", err)
	}
}

func derefInt(p *int) any {
	if p == nil {
		return "nil"
	}
	return *p
}
