// Package commitment tracks signed commitments (design §3.6): which version is
// in force, each target's status against a straight path from baseline to
// target, the error budget of rate targets, the trend projection of level
// targets and each party's weight in group targets. It is pure: callers pass
// observations and the current time.
package commitment

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
)

// Observation is a target metric's value on a calendar date: a daily snapshot,
// or an official evaluation result. N is the sample size behind a rate (0 for levels).
type Observation struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
	N     int       `json:"n,omitempty"`
}

// eps absorbs float noise in averages such as 3.7999999999 meant as 3.8.
const eps = 1e-9

// meets is Direction.Meets with float tolerance.
func meets(d domain.Direction, value, target float64) bool {
	if d == domain.DirectionDecrease {
		return value <= target+eps
	}
	return value >= target-eps
}

// date is the calendar date of t as midnight UTC (see stats.Date).
func date(t time.Time) time.Time { return stats.Date(t) }

func days(a, b time.Time) int { return stats.DaysBetween(a, b) }

// InForce returns the version in force on the calendar date of at: the one
// with the latest EffectiveFrom on or before it (the higher Version on a tie).
// False when every version starts later.
func InForce(versions []domain.Commitment, at time.Time) (domain.Commitment, bool) {
	day := date(at)
	best := -1
	for i, v := range versions {
		eff := date(v.EffectiveFrom)
		if eff.After(day) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := date(versions[best].EffectiveFrom)
		if eff.After(b) || (eff.Equal(b) && v.Version > versions[best].Version) {
			best = i
		}
	}
	if best < 0 {
		return domain.Commitment{}, false
	}
	return versions[best], true
}

// Validate checks a commitment version; field names follow the JSON shape
// (targets[1].metric).
func Validate(c domain.Commitment) error {
	v := &domain.ValidationError{Message: "invalid commitment"}
	add := func(field, format string, args ...any) {
		v.Details = append(v.Details, domain.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if c.ID == "" {
		add("id", "required")
	}
	if c.Version < 1 {
		add("version", "must be 1 or more")
	}
	if c.EffectiveFrom.IsZero() {
		add("effective_from", "required")
	}
	if c.Title == "" {
		add("title", "required")
	}
	if c.SignedOn.IsZero() {
		add("signed_on", "required")
	}
	// The office binds the government; a name alone (or none, in some records) is not enough.
	if c.SignatoryOffice == "" {
		add("signatory_office", "required")
	}
	if len(c.Parties) == 0 {
		add("parties", "at least one party")
	}
	seenParty := map[string]bool{}
	for _, p := range c.Parties {
		if seenParty[p] {
			add("parties", "duplicate party %q", p)
		}
		seenParty[p] = true
	}
	if len(c.Targets) == 0 {
		add("targets", "at least one target")
	}
	seenTarget := map[string]bool{}
	for i, t := range c.Targets {
		f := func(name string) string { return fmt.Sprintf("targets[%d].%s", i, name) }
		if t.ID == "" {
			add(f("id"), "required")
		} else if seenTarget[t.ID] {
			add(f("id"), "duplicate target id %q", t.ID)
		}
		seenTarget[t.ID] = true
		if !t.Metric.Valid() {
			add(f("metric"), "unknown metric %q", t.Metric)
		}
		if !t.Scope.Valid() {
			add(f("scope"), "unknown scope %q; valid: %v", t.Scope, domain.TargetScopes)
		}
		if !t.Direction.Valid() {
			add(f("direction"), "must be increase or decrease")
		}
		if t.BaselineAsOf.IsZero() {
			add(f("baseline_as_of"), "required")
		}
		if t.Deadline.IsZero() {
			add(f("deadline"), "required")
		} else if !t.BaselineAsOf.IsZero() && !date(t.Deadline).After(date(t.BaselineAsOf)) {
			add(f("deadline"), "must be after baseline_as_of")
		}
		for _, nv := range []struct {
			name string
			x    float64
		}{{"baseline", t.Baseline}, {"value", t.Value}} {
			switch {
			case math.IsNaN(nv.x) || math.IsInf(nv.x, 0):
				add(f(nv.name), "not a number")
			case t.Metric.Kind() == domain.MetricKindRate && (nv.x < 0 || nv.x > 1):
				add(f(nv.name), "a rate is a share between 0 and 1, got %v", nv.x)
			}
		}
		for _, p := range t.Parties {
			if !seenParty[p] {
				add(f("parties"), "%q is not a party of the commitment", p)
			}
		}
		parties := len(t.Parties)
		if parties == 0 {
			parties = len(c.Parties)
		}
		if t.Scope == domain.ScopeSingle && parties != 1 {
			add(f("parties"), "scope single needs exactly one party, got %d", parties)
		}
		if t.MeasurementPeriod != "" {
			if _, err := stats.ParsePeriod(t.MeasurementPeriod, t.Deadline); err != nil {
				add(f("measurement_period"), "use 2025, 2025-Q1, 2025-03 or rolling90")
			}
		}
		if t.WorkingDayLimit < 0 {
			add(f("working_day_limit"), "must not be negative")
		} else if t.WorkingDayLimit > 0 && !t.Metric.UsesWorkingDayLimit() {
			add(f("working_day_limit"), "only response-time metrics take a working-day limit")
		}
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// sortedByDate returns observations on or before until, oldest first; the
// input order breaks ties, so the last of a day wins as "current".
func sortedByDate(obs []Observation, until time.Time, keep func(Observation) bool) []Observation {
	out := make([]Observation, 0, len(obs))
	for _, o := range obs {
		if !date(o.At).After(until) && (keep == nil || keep(o)) {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Observation) int { return date(a.At).Compare(date(b.At)) })
	return out
}
