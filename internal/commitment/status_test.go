package commitment

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestStatus(t *testing.T) {
	rateTarget := domain.Target{
		ID: "response", Metric: domain.MetricLAPORResponseRate, Scope: domain.ScopeEachParty,
		Baseline: 0.6, BaselineAsOf: d("2024-01-01"), Value: 0.9, Direction: domain.DirectionIncrease,
		Deadline: d("2024-12-31"),
	}
	daysTarget := domain.Target{
		ID: "median-days", Metric: domain.MetricMedianFirstResponseDays, Scope: domain.ScopeSingle,
		Baseline: 10, BaselineAsOf: d("2024-01-01"), Value: 5, Direction: domain.DirectionDecrease,
		Deadline: d("2024-12-31"),
	}
	alreadyMet := indexTarget()
	alreadyMet.Baseline = 4.6

	// Path for indexTarget on 2024-07-01 (day 182 of 365): 4.14 + 0.36·182/365 = 4.3195068.
	const path0701 = 4.14 + 0.36*182/365
	tests := []struct {
		name          string
		target        domain.Target
		obs           []Observation
		now           string
		want          domain.CommitmentStatus
		wantCurrent   *float64
		wantShortfall *float64
		reasonHas     string
	}{
		{
			name: "achieved early", target: indexTarget(), now: "2024-06-02",
			obs:  []Observation{{At: d("2024-03-01"), Value: 4.2}, {At: d("2024-06-01"), Value: 4.52}},
			want: domain.StatusAchieved, wantCurrent: f(4.52),
		},
		{
			name: "achieved exactly at the deadline, judged later", target: indexTarget(), now: "2025-02-01",
			obs:  []Observation{{At: d("2024-12-31"), Value: 4.5}},
			want: domain.StatusAchieved, wantCurrent: f(4.5),
		},
		{
			name: "missed: value after the deadline does not count", target: indexTarget(), now: "2025-01-15",
			obs:  []Observation{{At: d("2024-12-20"), Value: 4.40}, {At: d("2025-01-10"), Value: 4.60}},
			want: domain.StatusMissed, wantCurrent: f(4.40), reasonHas: "deadline 2024-12-31 passed",
		},
		{
			name: "on the deadline day itself the target is still open", target: indexTarget(), now: "2024-12-31",
			obs: []Observation{{At: d("2024-12-31"), Value: 4.40}},
			// Path value is the target itself: (4.5-4.4)/0.36 = 27.8 % behind.
			want: domain.StatusOffTrack, wantCurrent: f(4.40), wantShortfall: f(0.1 / 0.36),
		},
		{
			name: "on track: ahead of the path", target: indexTarget(), now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.35}},
			want: domain.StatusOnTrack, wantCurrent: f(4.35), wantShortfall: f((path0701 - 4.35) / 0.36),
		},
		{
			name: "at risk: 5.4 % of the change behind", target: indexTarget(), now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.30}},
			want: domain.StatusAtRisk, wantCurrent: f(4.30), wantShortfall: f((path0701 - 4.30) / 0.36),
		},
		{
			name: "off track: 19.3 % behind", target: indexTarget(), now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.25}},
			want: domain.StatusOffTrack, wantCurrent: f(4.25), wantShortfall: f((path0701 - 4.25) / 0.36),
		},
		{
			name: "future observation ignored", target: indexTarget(), now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.35}, {At: d("2024-08-01"), Value: 4.9}},
			want: domain.StatusOnTrack, wantCurrent: f(4.35),
		},
		{
			name: "decrease: median days 7.6 vs path 7.507", target: daysTarget, now: "2024-07-01",
			obs: []Observation{{At: d("2024-07-01"), Value: 7.6}},
			// Path 10 − 5·182/365 = 7.50685; shortfall (7.50685 − 7.6)/(−5) = 1.86 %.
			want: domain.StatusAtRisk, wantCurrent: f(7.6), wantShortfall: f((10 - 5.0*182/365 - 7.6) / -5),
		},
		{
			name: "decrease achieved", target: daysTarget, now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 5}},
			want: domain.StatusAchieved, wantCurrent: f(5),
		},
		{
			name: "rate: 5 of 5 answered is too few to count", target: rateTarget, now: "2024-07-01",
			obs: []Observation{{At: d("2024-06-01"), Value: 0.75, N: 40}, {At: d("2024-07-01"), Value: 1, N: 5}},
			// Uses 1 June (day 152): path 0.6 + 0.3·152/365 = 0.72493, so 0.75 is ahead.
			want: domain.StatusOnTrack, wantCurrent: f(0.75), wantShortfall: f((0.6 + 0.3*152/365 - 0.75) / 0.3),
		},
		{
			name: "rate: only small samples", target: rateTarget, now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 1, N: 9}},
			want: domain.StatusNoData, reasonHas: "at least 10 complaints",
		},
		{
			name: "no observation", target: indexTarget(), now: "2024-07-01",
			want: domain.StatusNoData,
		},
		{
			name: "no observation by the deadline", target: indexTarget(), now: "2025-03-01",
			obs:  []Observation{{At: d("2025-01-02"), Value: 4.6}},
			want: domain.StatusNoData, reasonHas: "by the deadline",
		},
		{
			name: "baseline already met, value fell below", target: alreadyMet, now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.4}},
			want: domain.StatusOffTrack, wantCurrent: f(4.4), reasonHas: "already met",
		},
		{
			name: "last observation of a day wins", target: indexTarget(), now: "2024-07-01",
			obs:  []Observation{{At: d("2024-07-01"), Value: 4.55}, {At: d("2024-07-01"), Value: 4.25}},
			want: domain.StatusOffTrack, wantCurrent: f(4.25),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Status(tt.target, tt.obs, d(tt.now))
			if ev.Status != tt.want {
				t.Errorf("status = %s, want %s (%s)", ev.Status, tt.want, ev.Reason)
			}
			checkFloat(t, "current", ev.Current, tt.wantCurrent)
			if tt.wantShortfall != nil {
				checkFloat(t, "shortfall", ev.Shortfall, tt.wantShortfall)
			}
			if !strings.Contains(ev.Reason, tt.reasonHas) {
				t.Errorf("reason %q lacks %q", ev.Reason, tt.reasonHas)
			}
			if ev.TargetID != tt.target.ID || !ev.AsOf.Equal(d(tt.now)) {
				t.Errorf("evaluation names %s on %v", ev.TargetID, ev.AsOf)
			}
		})
	}
}

func TestStatusUsesLocalDateOfNow(t *testing.T) {
	wit := time.FixedZone("WIT", 9*3600)
	// 31 Dec 2024 16:00 UTC is already 1 Jan 2025 in WIT: the deadline has passed there.
	now := time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC)
	obs := []Observation{{At: d("2024-12-01"), Value: 4.4}}
	if got := Status(indexTarget(), obs, now).Status; got == domain.StatusMissed {
		t.Errorf("UTC now: status %s, the deadline day is not over", got)
	}
	if got := Status(indexTarget(), obs, now.In(wit)).Status; got != domain.StatusMissed {
		t.Errorf("WIT now: status %s, want missed", got)
	}
}

func TestAtRiskShareIsConfigurable(t *testing.T) {
	obs := []Observation{{At: d("2024-07-01"), Value: 4.25}} // 19.3 % behind the path
	if got := (Rules{AtRiskShare: 0.2}).Status(indexTarget(), obs, d("2024-07-01")).Status; got != domain.StatusAtRisk {
		t.Errorf("with a 20 %% share: %s, want at_risk", got)
	}
}

// A revision effective 1 July lowers the response-rate target from 90 % to 80 %:
// the same 72 % is at risk under the old version and on track under the new one.
func TestRevisionMidPeriod(t *testing.T) {
	target := func(value float64) domain.Target {
		return domain.Target{
			ID: "response", Metric: domain.MetricLAPORResponseRate, Scope: domain.ScopeEachParty,
			Baseline: 0.6, BaselineAsOf: d("2024-01-01"), Value: value, Direction: domain.DirectionIncrease,
			Deadline: d("2024-12-31"),
		}
	}
	v1 := domain.Commitment{ID: "jabar", Version: 1, EffectiveFrom: d("2024-01-01"), Targets: []domain.Target{target(0.9)}}
	v2 := domain.Commitment{ID: "jabar", Version: 2, EffectiveFrom: d("2024-07-01"), Targets: []domain.Target{target(0.8)}}
	versions := []domain.Commitment{v2, v1} // order must not matter
	obs := []Observation{{At: d("2024-06-30"), Value: 0.72, N: 100}, {At: d("2024-07-01"), Value: 0.72, N: 100}}

	tests := []struct {
		now           string
		wantVersion   int
		want          domain.CommitmentStatus
		wantExpected  float64
		wantShortfall float64
	}{
		// v1 on 30 June (day 181): path 0.6 + 0.3·181/365 = 0.748767, 9.59 % behind.
		{now: "2024-06-30", wantVersion: 1, want: domain.StatusAtRisk, wantExpected: 0.6 + 0.3*181/365, wantShortfall: (0.6 + 0.3*181/365 - 0.72) / 0.3},
		// v2 from 1 July (day 182): path 0.6 + 0.2·182/365 = 0.699726, ahead.
		{now: "2024-07-01", wantVersion: 2, want: domain.StatusOnTrack, wantExpected: 0.6 + 0.2*182/365, wantShortfall: (0.6 + 0.2*182/365 - 0.72) / 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			ev, c, err := DefaultRules.StatusAt(versions, "response", obs, d(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != tt.wantVersion || ev.Status != tt.want {
				t.Errorf("version %d status %s, want version %d status %s (%s)", c.Version, ev.Status, tt.wantVersion, tt.want, ev.Reason)
			}
			checkFloat(t, "expected", ev.Expected, &tt.wantExpected)
			checkFloat(t, "shortfall", ev.Shortfall, &tt.wantShortfall)
		})
	}

	if _, _, err := DefaultRules.StatusAt(versions, "response", obs, d("2023-12-31")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("before any version: %v, want ErrNotFound", err)
	}
	if _, _, err := DefaultRules.StatusAt(versions, "nope", obs, d("2024-08-01")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown target: %v, want ErrNotFound", err)
	}
}

func TestInForce(t *testing.T) {
	v := func(version int, eff string) domain.Commitment {
		return domain.Commitment{ID: "c", Version: version, EffectiveFrom: d(eff)}
	}
	versions := []domain.Commitment{v(3, "2024-07-01"), v(1, "2024-01-01"), v(2, "2024-07-01"), v(4, "2025-01-01")}
	tests := []struct {
		at   string
		want int // 0: none
	}{
		{"2023-12-31", 0},
		{"2024-01-01", 1},
		{"2024-06-30", 1},
		{"2024-07-01", 3}, // same effective date: the later version
		{"2024-12-31", 3},
		{"2025-01-01", 4},
		{"2030-01-01", 4},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			c, ok := InForce(versions, d(tt.at))
			if got := map[bool]int{true: c.Version, false: 0}[ok]; got != tt.want {
				t.Errorf("InForce = version %d (%v), want %d", c.Version, ok, tt.want)
			}
		})
	}
}
