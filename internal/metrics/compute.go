// Package metrics computes, stores and serves per-agency performance
// figures (design §3.5) from roll-up rows, so no page or API answer scans
// raw complaints.
//
// Definitions (ours where LAPOR publishes none; shared/data/lapor-policy.md §d).
// An agency A "holds" a complaint C while A's first_response clock on C runs;
// the clock engine opens one when C is assigned or forwarded to A. Dates are
// A's local calendar dates (its time zone).
//
//   - received: complaints that reached A (assigned or forwarded in), counted
//     once, in the period holding the date A first received them.
//   - forwarded_out: received complaints whose last holder is another agency
//     (A passed them on). The last holder is the agency of C's first_response
//     clock that started last (ties: the running or later-stopped one, then
//     the later row).
//   - rejected: received complaints A still holds last that were rejected.
//   - assigned: received − forwarded_out − rejected, the denominator of the
//     response rate (received incl. forwarded-in, excl. forwarded-out and
//     rejected).
//   - responded: assigned complaints with ≥ 1 public responded event posted
//     by A (or naming no agency). response_rate = responded ÷ assigned.
//   - completed: assigned complaints with a completed event.
//     completion_rate = completed ÷ assigned.
//   - deadline cohort (first_response and completion separately): A's clocks
//     whose due date falls in the period. met → due and on time; breached →
//     due; running and overdue → due and open-overdue (a certain breach, so
//     slow cases are not hidden by censoring); running and not yet due →
//     pending, outside n. on_time_rate = on_time ÷ due.
//   - working days to first response / completion: working_days_used of A's
//     clocks stopped by a responded (resp. completed) event, in the period of
//     the stop date; stops by a forward, rejection or closure are not answers.
//     Kept as exact per-day histograms: medians, p90 and "share within N
//     working days" are exact for any merge of agencies and months.
//   - open / overdue / at_risk (now, not per period): complaints A holds with
//     a running completion clock; complaints with a running clock of A that is
//     overdue; complaints with one at risk and none overdue.
//
// Subtree figures add the agency's own figures to its children's subtree
// figures (every counter and histogram is additive: a complaint is received
// by each agency that held it, and so counted once per holder). Quarter and
// year rows merge the month rows; rolling90 is stored as its own row per
// agency for the 90 calendar days ending on the refresh's Jakarta date, and
// recomputed when that date changes.
package metrics

import (
	"cmp"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// RollingKey is the period key of the stored rolling 90-day row.
const RollingKey = "rolling90"

// bucket accumulates one roll-up row.
type bucket struct {
	counts store.RollupCounts
	fr, cp stats.Histogram
}

type bucketKey struct {
	agency int64
	key    string
}

// accumulator turns complaint facts into own buckets. want selects the
// (agency, month) buckets to fill; rolling selects agencies whose rolling
// row is being rebuilt over window.
type accumulator struct {
	buckets map[bucketKey]*bucket
	zone    func(agency int64) *time.Location
	want    func(agency int64, month string) bool
	rolling func(agency int64) bool
	window  stats.Period
}

func newAccumulator(zone func(int64) *time.Location, want func(int64, string) bool, rolling func(int64) bool, window stats.Period) *accumulator {
	return &accumulator{buckets: map[bucketKey]*bucket{}, zone: zone, want: want, rolling: rolling, window: window}
}

// each calls fn for every bucket the instant t of agency's local date falls in.
func (a *accumulator) each(agency int64, t time.Time, fn func(b *bucket)) {
	d := stats.Date(t.In(a.zone(agency)))
	if m := d.Format("2006-01"); a.want(agency, m) {
		fn(a.get(agency, m))
	}
	if a.rolling(agency) && a.window.Contains(d) {
		fn(a.get(agency, RollingKey))
	}
}

func (a *accumulator) get(agency int64, key string) *bucket {
	k := bucketKey{agency, key}
	b := a.buckets[k]
	if b == nil {
		b = &bucket{}
		a.buckets[k] = b
	}
	return b
}

// addFacts adds every complaint of f (clocks and events sorted by complaint).
func (a *accumulator) addFacts(f store.RollupFacts) {
	ei := 0
	for ci := 0; ci < len(f.Clocks); {
		id := f.Clocks[ci].ComplaintID
		cj := ci
		for cj < len(f.Clocks) && f.Clocks[cj].ComplaintID == id {
			cj++
		}
		for ei < len(f.Events) && f.Events[ei].ComplaintID < id {
			ei++
		}
		ej := ei
		for ej < len(f.Events) && f.Events[ej].ComplaintID == id {
			ej++
		}
		a.addComplaint(f.Clocks[ci:cj], f.Events[ei:ej])
		ci, ei = cj, ej
	}
}

// lastHolder is the agency of the first_response clock that started last.
func lastHolder(clocks []store.RollupClock) int64 {
	var best *store.RollupClock
	for i := range clocks {
		c := &clocks[i]
		if c.Kind != domain.ClockFirstResponse {
			continue
		}
		if best == nil || laterHold(c, best) {
			best = c
		}
	}
	if best == nil {
		return 0
	}
	return best.AgencyID
}

func laterHold(c, o *store.RollupClock) bool {
	if d := c.StartedAt.Compare(o.StartedAt); d != 0 {
		return d > 0
	}
	stop := func(x *store.RollupClock) time.Time {
		if x.StoppedAt == nil {
			return time.Unix(1<<40, 0)
		}
		return *x.StoppedAt
	}
	return cmp.Or(stop(c).Compare(stop(o)), cmp.Compare(c.ID, o.ID)) > 0
}

// answeredBy reports whether an event of kind at instant at was posted by
// agency (or names none).
func answeredBy(events []store.RollupEvent, kind domain.EventKind, agency int64, at *time.Time) bool {
	for _, e := range events {
		if e.Kind == kind && (e.AgencyID == agency || e.AgencyID == 0 || kind == domain.EventCompleted) && (at == nil || e.At.Equal(*at)) {
			return true
		}
	}
	return false
}

func hasEvent(events []store.RollupEvent, kind domain.EventKind) bool {
	for _, e := range events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func (a *accumulator) addComplaint(clocks []store.RollupClock, events []store.RollupEvent) {
	holder := lastHolder(clocks)
	rejected, completed := hasEvent(events, domain.EventRejected), hasEvent(events, domain.EventCompleted)
	firstReceipt := map[int64]time.Time{}
	for _, c := range clocks {
		if c.Kind != domain.ClockFirstResponse {
			continue
		}
		if t, ok := firstReceipt[c.AgencyID]; !ok || c.StartedAt.Before(t) {
			firstReceipt[c.AgencyID] = c.StartedAt
		}
	}
	for agency, t := range firstReceipt {
		responded := answeredBy(events, domain.EventResponded, agency, nil)
		a.each(agency, t, func(b *bucket) {
			n := &b.counts
			n.Received++
			switch {
			case agency != holder:
				n.ForwardedOut++
			case rejected:
				n.Rejected++
			default:
				n.Assigned++
				if responded {
					n.Responded++
				}
				if completed {
					n.Completed++
				}
			}
		})
	}
	for _, c := range clocks {
		fr := c.Kind == domain.ClockFirstResponse
		a.each(c.AgencyID, c.DueAt, func(b *bucket) {
			due, onTime, overdue, pending := &b.counts.CPDue, &b.counts.CPOnTime, &b.counts.CPOpenOverdue, &b.counts.CPPending
			if fr {
				due, onTime, overdue, pending = &b.counts.FRDue, &b.counts.FROnTime, &b.counts.FROpenOverdue, &b.counts.FRPending
			}
			switch c.Verdict {
			case domain.VerdictMet:
				*due++
				*onTime++
			case domain.VerdictBreached:
				*due++
			case domain.VerdictOverdue:
				*due++
				*overdue++
			default:
				*pending++
			}
		})
		if c.StoppedAt == nil {
			continue
		}
		kind := domain.EventCompleted
		if fr {
			kind = domain.EventResponded
		}
		if !answeredBy(events, kind, c.AgencyID, c.StoppedAt) {
			continue
		}
		a.each(c.AgencyID, *c.StoppedAt, func(b *bucket) {
			h := &b.cp
			if fr {
				h = &b.fr
			}
			_ = h.Add(max(c.WorkingDaysUsed, 0))
		})
	}
}

// currentCounts turns running clocks into per-agency current counts.
func currentCounts(clocks []store.RunningClock) map[int64]*store.RollupCurrent {
	type ck struct{ agency, complaint int64 }
	type state struct{ open, overdue, atRisk bool }
	per := map[ck]*state{}
	for _, c := range clocks {
		k := ck{c.AgencyID, c.ComplaintID}
		s := per[k]
		if s == nil {
			s = &state{}
			per[k] = s
		}
		if c.Kind == domain.ClockCompletion {
			s.open = true
		}
		switch c.Verdict {
		case domain.VerdictOverdue:
			s.overdue = true
		case domain.VerdictAtRisk:
			s.atRisk = true
		}
	}
	out := map[int64]*store.RollupCurrent{}
	for k, s := range per {
		r := out[k.agency]
		if r == nil {
			r = &store.RollupCurrent{AgencyID: k.agency}
			out[k.agency] = r
		}
		if s.open {
			r.Open++
		}
		if s.overdue {
			r.Overdue++
		} else if s.atRisk {
			r.AtRisk++
		}
	}
	return out
}

// periodOfKey is the period a stored key stands for (rolling excluded).
func periodOfKey(key string) (stats.Period, bool) {
	p, err := stats.ParsePeriod(key, time.Time{})
	if err != nil || p.Kind == stats.PeriodRolling90 {
		return stats.Period{}, false
	}
	return p, true
}

// coarserKeys are the quarter and year keys holding a month key.
func coarserKeys(month string) []string {
	p, ok := periodOfKey(month)
	if !ok {
		return nil
	}
	y, m := p.Start.Year(), int(p.Start.Month())
	return []string{stats.QuarterPeriod(y, (m-1)/3+1).Key, stats.YearPeriod(y).Key}
}
