package commitment

import (
	"fmt"
	"math"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Projection bases.
const (
	BasisOLS                = "ols"
	BasisBetweenEvaluations = "between_evaluations"
	BasisNone               = "none"
)

// maxProjectionDays caps how far ahead a reach date is given (about 100 years).
const maxProjectionDays = 36525

// Projection extrapolates a level target (an index, days, a count) to its deadline.
type Projection struct {
	TargetID string `json:"target_id"`
	Basis    string `json:"basis"`
	// Method says in words which points and which fit were used.
	Method          string     `json:"method"`
	Points          int        `json:"points"`
	SlopePerYear    *float64   `json:"slope_per_year"`
	ValueAtDeadline *float64   `json:"value_at_deadline"`
	ReachesTargetOn *time.Time `json:"reaches_target_on"`
	Note            string     `json:"note,omitempty"`
}

// ProjectLevel projects t from points on or before asOf's date.
//
// With snapshots on at least two distinct dates it fits an ordinary least
// squares line of value on calendar day through all of them (centred sums,
// so large day numbers lose no precision). Otherwise it falls back to the
// change between the last two official evaluations (the target's baseline
// counts as one), carried forward from the latest known value (the latest
// snapshot if newer than the last evaluation). The line gives the value at
// the deadline and the first day it meets the target, if it moves that way.
func ProjectLevel(t domain.Target, snapshots, evaluations []Observation, asOf time.Time) Projection {
	today := date(asOf)
	p := Projection{TargetID: t.ID, Basis: BasisNone}
	snaps := sortedByDate(snapshots, today, nil)

	var origin time.Time   // day 0 of the line
	var slope, at0 float64 // value = at0 + slope·(day − origin)
	if distinctDates(snaps) >= 2 {
		origin = date(snaps[0].At)
		var sx, sy float64
		for _, o := range snaps {
			sx += float64(days(origin, o.At))
			sy += o.Value
		}
		n := float64(len(snaps))
		mx, my := sx/n, sy/n
		var sxx, sxy float64
		for _, o := range snaps {
			dx := float64(days(origin, o.At)) - mx
			sxx += dx * dx
			sxy += dx * (o.Value - my)
		}
		slope = sxy / sxx
		at0 = my - slope*mx
		p.Basis, p.Points = BasisOLS, len(snaps)
		p.Method = fmt.Sprintf("ordinary least squares over %d snapshots from %s to %s",
			len(snaps), origin.Format(time.DateOnly), date(snaps[len(snaps)-1].At).Format(time.DateOnly))
	} else {
		evals := sortedByDate(evaluations, today, nil)
		if !t.BaselineAsOf.IsZero() && !date(t.BaselineAsOf).After(today) && !hasDate(evals, t.BaselineAsOf) {
			evals = sortedByDate(append(evals, Observation{At: t.BaselineAsOf, Value: t.Baseline}), today, nil)
		}
		prev, last, ok := lastTwoDates(evals)
		if !ok {
			p.Method = "no projection"
			p.Note = "fewer than two snapshots and fewer than two evaluations"
			return p
		}
		slope = (last.Value - prev.Value) / float64(days(prev.At, last.At))
		anchor := last
		if len(snaps) > 0 && date(snaps[len(snaps)-1].At).After(date(last.At)) {
			anchor = snaps[len(snaps)-1]
		}
		origin, at0 = date(anchor.At), anchor.Value
		p.Basis, p.Points = BasisBetweenEvaluations, 2
		p.Method = fmt.Sprintf("change between the evaluations of %s (%g) and %s (%g), carried forward from %g on %s",
			date(prev.At).Format(time.DateOnly), prev.Value, date(last.At).Format(time.DateOnly), last.Value,
			anchor.Value, origin.Format(time.DateOnly))
	}

	perYear := slope * 365.25
	atDeadline := at0 + slope*float64(days(origin, t.Deadline))
	p.SlopePerYear, p.ValueAtDeadline = &perYear, &atDeadline

	towards := (t.Direction == domain.DirectionIncrease && slope > 0) || (t.Direction == domain.DirectionDecrease && slope < 0)
	if !towards {
		if meets(t.Direction, at0+slope*float64(days(origin, today)), t.Value) {
			p.Note = "the trend line meets the target today but does not move further toward it"
		} else {
			p.Note = "the trend does not move toward the target"
		}
		return p
	}
	// Days from origin where the line meets the target; before today when it already has.
	x := (t.Value - at0) / slope
	k := int(math.Ceil(x - eps))
	if float64(k) > float64(days(origin, today))+maxProjectionDays {
		p.Note = "at this trend the target is more than 100 years away"
		return p
	}
	reach := origin.AddDate(0, 0, k)
	p.ReachesTargetOn = &reach
	return p
}

func distinctDates(obs []Observation) int {
	n := 0
	for i, o := range obs {
		if i == 0 || !date(o.At).Equal(date(obs[i-1].At)) {
			n++
		}
	}
	return n
}

func hasDate(obs []Observation, at time.Time) bool {
	for _, o := range obs {
		if date(o.At).Equal(date(at)) {
			return true
		}
	}
	return false
}

// lastTwoDates returns the last observation and the last one on an earlier
// date, from a date-sorted slice.
func lastTwoDates(obs []Observation) (prev, last Observation, ok bool) {
	if len(obs) == 0 {
		return prev, last, false
	}
	last = obs[len(obs)-1]
	for i := len(obs) - 2; i >= 0; i-- {
		if date(obs[i].At).Before(date(last.At)) {
			return obs[i], last, true
		}
	}
	return prev, last, false
}
