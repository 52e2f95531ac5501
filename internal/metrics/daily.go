package metrics

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// DayCount is one calendar day of a rate's cohort: N complaints or clocks,
// Successes of them met the rule.
type DayCount struct {
	Date      time.Time `json:"date"` // civil date, midnight UTC
	N         int       `json:"n"`
	Successes int       `json:"successes"`
}

// Commitment measurement reads complaint figures per day, which the monthly
// roll-ups cannot give, so these methods read the roll-ups' own facts
// (clocks and deciding events) of the agency's subtree, bounded by the
// range, and apply the roll-up definitions (package doc) day by day. Each
// day is an agency's local date. Figures are "as known on To": a clock
// started, stopped or an event posted after the end of To (in the agency's
// zone) is treated as not having happened yet, so a closed period does not
// change when it is measured again later.
//
// DailyCounts cohorts, per metric:
//   - lapor_response_rate: the roll-ups' assigned complaints, on the day the
//     agency first received them; success: it posted a response (the
//     roll-ups' responded). The days sum to the roll-ups' response rate.
//   - first_response_on_time, completion_on_time with within = 0: the
//     roll-ups' deadline cohort, on the clock's due date: met (success),
//     breached, or running past its deadline (failure); a clock running and
//     not yet due is outside n.
//   - the same with within > 0 (a target's own limit): the roll-ups'
//     per-working-day histogram, on the answer day: clocks stopped by an
//     answer (responded, resp. completed); success: within working days used.
//     Unanswered complaints are not in this cohort, as in the published
//     within=N share.
//
// Level:
//   - median_first_response_days: the median working days of first-response
//     clocks stopped by a response on a day of the range (the roll-ups'
//     histogram), n = those answers; nil without answers.
//   - overdue_open: running first-response and completion clocks at the end
//     of To and how many are past their deadline. When To is today or later
//     this is the current state after the last SLA sweep; for an earlier To
//     only clocks that start, fall due or stop in the range are seen.

// dailyScope is an agency's subtree with the facts of a range.
type dailyScope struct {
	members map[int64]bool
	ids     []int64
	zones   map[int64]*time.Location
	from    time.Time // first civil date
	to      time.Time // last civil date
	now     time.Time
}

func (s *Service) dailyScope(ctx context.Context, code string, from, to time.Time) (*dailyScope, error) {
	from, to = stats.Date(from), stats.Date(to)
	if to.Before(from) {
		return nil, domain.Invalid("to", "must not be before from")
	}
	root, err := s.agency(ctx, code)
	if err != nil {
		return nil, err
	}
	tr, err := loadTree(ctx, s.store)
	if err != nil {
		return nil, err
	}
	sc := &dailyScope{members: map[int64]bool{}, zones: map[int64]*time.Location{}, from: from, to: to, now: s.now()}
	byName := map[string]*time.Location{}
	for _, id := range tr.ids() {
		a := tr.byID[id]
		if byName[a.TimeZone] == nil {
			byName[a.TimeZone] = tr.zone(id)
		}
		sc.zones[id] = byName[a.TimeZone]
		if strings.HasPrefix(a.Path, root.Path) {
			sc.members[id] = true
			sc.ids = append(sc.ids, id)
		}
	}
	return sc, nil
}

func (sc *dailyScope) zone(agency int64) *time.Location {
	if l := sc.zones[agency]; l != nil {
		return l
	}
	return jakarta
}

// cutoff is the end of To in the agency's zone.
func (sc *dailyScope) cutoff(agency int64) time.Time {
	return time.Date(sc.to.Year(), sc.to.Month(), sc.to.Day()+1, 0, 0, 0, 0, sc.zone(agency))
}

// day is the local civil date of t for the agency, if inside the range.
func (sc *dailyScope) day(agency int64, t time.Time) (time.Time, bool) {
	d := stats.Date(t.In(sc.zone(agency)))
	return d, !d.Before(sc.from) && !d.After(sc.to)
}

// facts loads the facts of the subtree's complaints with a clock that
// starts, falls due or stops in the range (padded for the zones).
func (s *Service) dailyFacts(ctx context.Context, sc *dailyScope) (store.RollupFacts, error) {
	if len(sc.ids) == 0 {
		return store.RollupFacts{}, nil
	}
	return s.store.RollupFactsFor(ctx, sc.ids, sc.from.AddDate(0, 0, -1), sc.to.AddDate(0, 0, 2))
}

// asOf is a complaint's facts as known at the end of To: clocks not yet
// started dropped, later stops undone, later events dropped. A clock
// running then is overdue when its deadline passed before the end of To and
// before now (not waiting for the next SLA sweep).
func (sc *dailyScope) asOf(clocks []store.RollupClock, events []store.RollupEvent) ([]store.RollupClock, []store.RollupEvent) {
	var cs []store.RollupClock
	for _, c := range clocks {
		cut := sc.cutoff(c.AgencyID)
		if !c.StartedAt.Before(cut) {
			continue
		}
		if c.StoppedAt != nil && !c.StoppedAt.Before(cut) {
			c.StoppedAt = nil
		}
		if c.StoppedAt == nil {
			// the verdict at the end of To, whatever the last sweep stored
			c.Verdict = domain.VerdictOpen
			if c.DueAt.Before(cut) && c.DueAt.Before(sc.now) {
				c.Verdict = domain.VerdictOverdue
			}
		}
		cs = append(cs, c)
	}
	var es []store.RollupEvent
	for _, e := range events {
		// events naming no agency are read in Jakarta's calendar
		if e.At.Before(sc.cutoff(e.AgencyID)) {
			es = append(es, e)
		}
	}
	return cs, es
}

// eachComplaint calls fn with each complaint's facts as of To.
func (sc *dailyScope) eachComplaint(f store.RollupFacts, fn func(clocks []store.RollupClock, events []store.RollupEvent)) {
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
		fn(sc.asOf(f.Clocks[ci:cj], f.Events[ei:ej]))
		ci, ei = cj, ej
	}
}

// DailyCounts returns the cohort of metric per local day of [from, to]
// (civil dates, both included) over the agency's subtree; days without a
// cohort are left out. within > 0 applies to the on-time metrics only.
func (s *Service) DailyCounts(ctx context.Context, code string, metric domain.Metric, within int, from, to time.Time) ([]DayCount, error) {
	switch metric {
	case domain.MetricLAPORResponseRate, domain.MetricFirstResponseOnTime, domain.MetricCompletionOnTime:
	default:
		return nil, domain.Invalidf("metric", "%s has no daily cohort", metric)
	}
	if within < 0 || within > stats.MaxHistogramDays {
		return nil, domain.Invalidf("within", "must be between 0 and %d working days", stats.MaxHistogramDays)
	}
	sc, err := s.dailyScope(ctx, code, from, to)
	if err != nil {
		return nil, err
	}
	facts, err := s.dailyFacts(ctx, sc)
	if err != nil {
		return nil, err
	}
	days := map[time.Time]*DayCount{}
	add := func(d time.Time, ok bool) {
		c := days[d]
		if c == nil {
			c = &DayCount{Date: d}
			days[d] = c
		}
		c.N++
		if ok {
			c.Successes++
		}
	}
	sc.eachComplaint(facts, func(clocks []store.RollupClock, events []store.RollupEvent) {
		switch metric {
		case domain.MetricLAPORResponseRate:
			sc.responseCohort(clocks, events, add)
		default:
			kind := domain.ClockFirstResponse
			if metric == domain.MetricCompletionOnTime {
				kind = domain.ClockCompletion
			}
			sc.onTimeCohort(clocks, events, kind, within, add)
		}
	})
	out := make([]DayCount, 0, len(days))
	for _, c := range days {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b DayCount) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// responseCohort adds the complaint to the day each member agency that
// holds it last (not rejected) first received it.
func (sc *dailyScope) responseCohort(clocks []store.RollupClock, events []store.RollupEvent, add func(time.Time, bool)) {
	holder := lastHolder(clocks)
	if holder == 0 || !sc.members[holder] || hasEvent(events, domain.EventRejected) {
		return
	}
	var first *time.Time
	for i := range clocks {
		c := &clocks[i]
		if c.Kind == domain.ClockFirstResponse && c.AgencyID == holder && (first == nil || c.StartedAt.Before(*first)) {
			first = &c.StartedAt
		}
	}
	if d, ok := sc.day(holder, *first); ok {
		add(d, answeredBy(events, domain.EventResponded, holder, nil))
	}
}

// onTimeCohort adds the member clocks of kind to the day they fall due (or,
// with within, the day they were answered).
func (sc *dailyScope) onTimeCohort(clocks []store.RollupClock, events []store.RollupEvent, kind domain.ClockKind, within int, add func(time.Time, bool)) {
	answer := domain.EventResponded
	if kind == domain.ClockCompletion {
		answer = domain.EventCompleted
	}
	for _, c := range clocks {
		if c.Kind != kind || !sc.members[c.AgencyID] {
			continue
		}
		if within > 0 {
			if c.StoppedAt == nil || !answeredBy(events, answer, c.AgencyID, c.StoppedAt) {
				continue
			}
			if d, ok := sc.day(c.AgencyID, *c.StoppedAt); ok {
				add(d, max(c.WorkingDaysUsed, 0) <= within)
			}
			continue
		}
		d, ok := sc.day(c.AgencyID, c.DueAt)
		if !ok {
			continue
		}
		switch c.Verdict {
		case domain.VerdictMet:
			add(d, true)
		case domain.VerdictBreached, domain.VerdictOverdue:
			add(d, false)
		}
	}
}

// Level returns a level metric of the agency's subtree over [from, to]
// (civil dates): its value (nil: no figure) and n.
func (s *Service) Level(ctx context.Context, code string, metric domain.Metric, from, to time.Time) (*float64, int, error) {
	switch metric {
	case domain.MetricMedianFirstResponseDays, domain.MetricOverdueOpen:
	default:
		return nil, 0, domain.Invalidf("metric", "%s is not a complaint level", metric)
	}
	sc, err := s.dailyScope(ctx, code, from, to)
	if err != nil {
		return nil, 0, err
	}
	if metric == domain.MetricOverdueOpen && !sc.to.Before(stats.Date(s.today())) {
		running, err := s.store.RunningClocksOf(ctx, sc.ids)
		if err != nil {
			return nil, 0, err
		}
		overdue := 0
		for _, c := range running {
			if c.Verdict == domain.VerdictOverdue {
				overdue++
			}
		}
		v := float64(overdue)
		return &v, len(running), nil
	}
	facts, err := s.dailyFacts(ctx, sc)
	if err != nil {
		return nil, 0, err
	}
	var h stats.Histogram
	open, overdue := 0, 0
	var hErr error
	sc.eachComplaint(facts, func(clocks []store.RollupClock, events []store.RollupEvent) {
		for _, c := range clocks {
			if !sc.members[c.AgencyID] {
				continue
			}
			if metric == domain.MetricOverdueOpen {
				if c.StoppedAt == nil {
					open++
					if c.Verdict == domain.VerdictOverdue {
						overdue++
					}
				}
				continue
			}
			if c.Kind != domain.ClockFirstResponse || c.StoppedAt == nil || !answeredBy(events, domain.EventResponded, c.AgencyID, c.StoppedAt) {
				continue
			}
			if _, ok := sc.day(c.AgencyID, *c.StoppedAt); ok {
				if err := h.Add(max(c.WorkingDaysUsed, 0)); err != nil && hErr == nil {
					hErr = fmt.Errorf("median first response days: %w", err)
				}
			}
		}
	})
	if hErr != nil {
		return nil, 0, hErr
	}
	if metric == domain.MetricOverdueOpen {
		v := float64(overdue)
		return &v, open, nil
	}
	m, ok := h.Median()
	if !ok {
		return nil, 0, nil
	}
	return &m, h.N(), nil
}
