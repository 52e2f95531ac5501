package commitment

import (
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// StatusRule states how Status decides, for the methodology page.
const StatusRule = "The current value is the latest observation on or before today " +
	"(on or before the deadline once it has passed; rate observations below the minimum n are skipped). " +
	"achieved: the current value meets the target (>= for increase, <= for decrease). " +
	"missed: the deadline has passed and the last value by the deadline did not meet it. " +
	"Otherwise the value is compared with the straight path from the baseline (at its as-of date) " +
	"to the target (at the deadline), read on the observation's date; the shortfall is how far " +
	"behind the path the value is, as a share of the whole planned change. " +
	"on_track: at or ahead of the path; at_risk: behind by at most the at-risk share (default 10 %); " +
	"off_track: further behind, or worse than a baseline that already met the target. " +
	"no_data: no usable observation."

// DefaultAtRiskShare is the default tolerance behind the path for at_risk.
const DefaultAtRiskShare = 0.10

// Rules are the tunable thresholds of Status.
type Rules struct {
	// AtRiskShare: a value behind the path by at most this share of the planned change is at_risk.
	AtRiskShare float64
	// MinN: rate observations with fewer complaints are not used (stats.DefaultMinN when 0).
	MinN int
}

// DefaultRules are the rules of StatusRule.
var DefaultRules = Rules{AtRiskShare: DefaultAtRiskShare, MinN: stats.DefaultMinN}

// Evaluation is a target's status on a day with the figures behind it.
type Evaluation struct {
	TargetID  string                  `json:"target_id"`
	Status    domain.CommitmentStatus `json:"status"`
	AsOf      time.Time               `json:"as_of"`
	Current   *float64                `json:"current"`
	CurrentAt *time.Time              `json:"current_at,omitempty"`
	// Expected is the path value on CurrentAt; Shortfall the share of the planned change behind it (negative: ahead).
	Expected  *float64 `json:"expected,omitempty"`
	Shortfall *float64 `json:"shortfall,omitempty"`
	Reason    string   `json:"reason"`
}

// Status evaluates t on the calendar date of now with DefaultRules.
func Status(t domain.Target, obs []Observation, now time.Time) Evaluation {
	return DefaultRules.Status(t, obs, now)
}

// Status evaluates t on the calendar date of now (see StatusRule).
func (r Rules) Status(t domain.Target, obs []Observation, now time.Time) Evaluation {
	if r.MinN <= 0 {
		r.MinN = stats.DefaultMinN
	}
	today, deadline := date(now), date(t.Deadline)
	ev := Evaluation{TargetID: t.ID, AsOf: today}
	passed := today.After(deadline)
	until := today
	if passed {
		until = deadline
	}
	var keep func(Observation) bool
	if t.Metric.Kind() == domain.MetricKindRate {
		keep = func(o Observation) bool { return o.N >= r.MinN }
	}
	usable := sortedByDate(obs, until, keep)
	if len(usable) == 0 {
		ev.Status = domain.StatusNoData
		ev.Reason = "no usable observation"
		if t.Metric.Kind() == domain.MetricKindRate {
			ev.Reason += fmt.Sprintf(" (rates need at least %d complaints)", r.MinN)
		}
		if passed {
			ev.Reason += " by the deadline"
		}
		return ev
	}
	cur := usable[len(usable)-1]
	curAt := date(cur.At)
	ev.Current, ev.CurrentAt = &cur.Value, &curAt

	if meets(t.Direction, cur.Value, t.Value) {
		ev.Status = domain.StatusAchieved
		ev.Reason = fmt.Sprintf("%s %g on %s meets the target %g", t.Metric, cur.Value, curAt.Format(time.DateOnly), t.Value)
		return ev
	}
	if passed {
		ev.Status = domain.StatusMissed
		ev.Reason = fmt.Sprintf("deadline %s passed; last value %g on %s did not meet %g",
			deadline.Format(time.DateOnly), cur.Value, curAt.Format(time.DateOnly), t.Value)
		return ev
	}
	if meets(t.Direction, t.Baseline, t.Value) {
		ev.Status = domain.StatusOffTrack
		ev.Reason = fmt.Sprintf("the baseline %g already met the target %g but the value fell to %g", t.Baseline, t.Value, cur.Value)
		return ev
	}

	planned := t.Value - t.Baseline // same sign as the direction, non-zero here
	expected := t.Value
	if span := days(t.BaselineAsOf, deadline); span > 0 {
		frac := min(max(float64(days(t.BaselineAsOf, curAt))/float64(span), 0), 1)
		expected = t.Baseline + planned*frac
	}
	shortfall := (expected - cur.Value) / planned
	ev.Expected, ev.Shortfall = &expected, &shortfall
	switch {
	case shortfall <= eps:
		ev.Status = domain.StatusOnTrack
		ev.Reason = fmt.Sprintf("%g is at or ahead of the path value %.4g", cur.Value, expected)
	case shortfall <= r.AtRiskShare+eps:
		ev.Status = domain.StatusAtRisk
		ev.Reason = fmt.Sprintf("%g is behind the path value %.4g by %.1f %% of the planned change (at most %.0f %%)",
			cur.Value, expected, 100*shortfall, 100*r.AtRiskShare)
	default:
		ev.Status = domain.StatusOffTrack
		ev.Reason = fmt.Sprintf("%g is behind the path value %.4g by %.1f %% of the planned change (more than %.0f %%)",
			cur.Value, expected, 100*shortfall, 100*r.AtRiskShare)
	}
	return ev
}

// StatusAt evaluates target targetID of the commitment version in force on
// now's date, so a revision changes the rule from its effective date on.
// Errors wrap domain.ErrNotFound when no version is in force or it has no
// such target.
func (r Rules) StatusAt(versions []domain.Commitment, targetID string, obs []Observation, now time.Time) (Evaluation, domain.Commitment, error) {
	c, ok := InForce(versions, now)
	if !ok {
		return Evaluation{}, c, fmt.Errorf("commitment: no version in force on %s: %w", date(now).Format(time.DateOnly), domain.ErrNotFound)
	}
	t, ok := c.TargetByID(targetID)
	if !ok {
		return Evaluation{}, c, fmt.Errorf("commitment %s version %d: target %q: %w", c.ID, c.Version, targetID, domain.ErrNotFound)
	}
	return r.Status(t, obs, now), c, nil
}
