package commitment

import (
	"math"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func f(v float64) *float64 { return &v }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func checkFloat(t *testing.T, name string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", name, fmtPtr(got), fmtPtr(want))
	case !near(*got, *want):
		t.Errorf("%s = %.9g, want %.9g", name, *got, *want)
	}
}

func checkDate(t *testing.T, name string, got *time.Time, want string) {
	t.Helper()
	switch {
	case got == nil && want == "":
	case got == nil:
		t.Errorf("%s = nil, want %s", name, want)
	case want == "":
		t.Errorf("%s = %s, want nil", name, got.Format(time.DateOnly))
	case got.Format(time.DateOnly) != want:
		t.Errorf("%s = %s, want %s", name, got.Format(time.DateOnly), want)
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// indexTarget: the Jawa Barat province index 4.14 → 4.5, here over calendar 2024 (365 days to the deadline).
func indexTarget() domain.Target {
	return domain.Target{
		ID: "province-index", Metric: domain.MetricSPBEIndex, Scope: domain.ScopeSingle,
		Baseline: 4.14, BaselineAsOf: d("2024-01-01"), Value: 4.5, Direction: domain.DirectionIncrease,
		Deadline: d("2024-12-31"),
	}
}
