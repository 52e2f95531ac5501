// Package clock derives a complaint's legal clocks from its event history, an
// SLA policy and the working-day calendar (design §3.4). It is pure: the
// caller passes the policy, the calendar, an agency resolver and now.
//
// Decisions the design leaves open, taken here:
//   - Events are sorted by time, then kind order, then identity; state comes
//     only from that order, so the input order never matters.
//   - verification runs from submitted (the event, else Complaint.SubmittedAt)
//     for the submitting agency (the submitted event's agency, else the
//     complaint's) until verified, rejected, forwarded or assigned: a
//     disposition implies the report was verified, and LAPOR exports often
//     carry only the disposition date.
//   - assigned and forwarded both hand the complaint over: the current
//     holder's open clocks stop (judged at that instant) and the receiver's
//     first_response and completion start. Re-assigning to the holder is a
//     no-op.
//   - responded stops the holder's first_response when the event names no
//     agency or the holder; a response posted by another agency is not the
//     holder's.
//   - completed, rejected and closed end the cycle: every open clock stops.
//     A completion without an earlier response also stops first_response.
//   - reopened starts cycle+1 with new first_response and completion clocks
//     for the holder, unless the current completion clock is still open
//     (nothing to reopen) or nobody holds the complaint.
//   - A clarification pause belongs to the complaint: every clock running at
//     any moment of it is paused for the overlap. The paused days of a clock
//     are the working days after the local day the pause (or the clock)
//     began up to the local day it ended, so the request day still counts, as
//     the receipt day is day 0. A pause is cut PauseCapCalendarDays calendar
//     days after the request day; an unanswered one runs until now (for a
//     running clock) or the clock's stop. Pauses move the due date later by
//     their working days when they begin before it, never earlier.
//   - Verdicts compare local days: a clock stopped on its due day is met
//     whatever the hour, and a running one is overdue from the day after.
package clock

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// Clock and Pause are the domain types, named here for readers of this package.
type (
	Clock = domain.Clock
	Pause = domain.ClockPause
)

// AgencyInfo resolves an agency code to its kind (for policy rules) and its
// time zone (for day counting); ok is false for an unknown code.
type AgencyInfo func(code string) (kind domain.AgencyKind, loc *time.Location, ok bool)

// Engine computes clocks under one policy and one calendar.
type Engine struct {
	Policy   slapolicy.Policy
	Calendar *workcal.Calendar
	Agencies AgencyInfo
}

// SortEvents returns the events in history order: by instant, then kind
// order, then identity (design §3.2). The input is not modified.
func SortEvents(events []domain.Event) []domain.Event {
	type keyed struct {
		e  domain.Event
		id string
	}
	ks := make([]keyed, len(events))
	for i, e := range events {
		ks[i] = keyed{e, domain.EventIdentity(e)}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(
			a.e.At.Compare(b.e.At),
			cmp.Compare(a.e.Kind.Order(), b.e.Kind.Order()),
			cmp.Compare(a.id, b.id),
			// Same identity with different content is bad data; still order it
			// fully so the result cannot depend on the input order.
			cmp.Compare(a.e.AgencyCode, b.e.AgencyCode),
			cmp.Compare(a.e.ToAgencyCode, b.e.ToAgencyCode),
			cmp.Compare(a.e.PublicText, b.e.PublicText),
		)
	})
	out := make([]domain.Event, len(ks))
	for i, k := range ks {
		out[i] = k.e
	}
	return out
}

// span is one clock as the history defines it, before any day counting.
type span struct {
	kind    domain.ClockKind
	agency  string
	cycle   int
	start   time.Time
	stop    time.Time
	stopped bool
}

func (s *span) halt(at time.Time) {
	if s != nil && !s.stopped {
		s.stop, s.stopped = at, true
	}
}

func (s *span) running() bool { return s != nil && !s.stopped }

// wait is a complaint-level clarification interval; open until answered.
type wait struct {
	from, to time.Time
	answered bool
}

// Compute returns the complaint's clocks in the order the history opened
// them. It fails when the report type or an agency is unknown, the policy has no limit, an
// assigned/forwarded event lacks its target, or a day falls outside the
// calendar (workcal.ErrOutOfRange): a missing year must not pass as working days.
func (e Engine) Compute(c domain.Complaint, events []domain.Event, now time.Time) ([]Clock, error) {
	if !c.ReportType.Valid() {
		return nil, fmt.Errorf("clock: %s: %w", c.TrackingID, domain.Invalidf("report_type", "unknown report type %q", c.ReportType))
	}
	spans, waits, err := replay(c, events)
	if err != nil {
		return nil, err
	}
	out := make([]Clock, 0, len(spans))
	for _, s := range spans {
		ck, err := e.measure(c, s, waits, now)
		if err != nil {
			return nil, fmt.Errorf("clock: %s %s %s cycle %d: %w", c.TrackingID, s.kind, s.agency, s.cycle, err)
		}
		out = append(out, ck)
	}
	return out, nil
}

// replay walks the sorted history and returns the clock spans and pauses.
func replay(c domain.Complaint, events []domain.Event) ([]*span, []wait, error) {
	evs := events
	if !slices.ContainsFunc(events, func(e domain.Event) bool { return e.Kind == domain.EventSubmitted }) && !c.SubmittedAt.IsZero() {
		evs = append(slices.Clone(events), domain.Event{
			Source: c.Source, TrackingID: c.TrackingID, EventID: "complaint:submitted_at",
			Kind: domain.EventSubmitted, At: c.SubmittedAt,
		})
	}
	var (
		spans     []*span
		waits     []wait
		verif     *span
		fr, comp  *span
		holder    string
		cycle     = 1
		submitted bool
	)
	open := func(kind domain.ClockKind, agency string, at time.Time) *span {
		s := &span{kind: kind, agency: agency, cycle: cycle, start: at}
		spans = append(spans, s)
		return s
	}
	stopAll := func(at time.Time) {
		verif.halt(at)
		fr.halt(at)
		comp.halt(at)
	}
	for _, ev := range SortEvents(evs) {
		at := ev.At
		switch ev.Kind {
		case domain.EventSubmitted:
			if submitted {
				continue
			}
			submitted = true
			verif = open(domain.ClockVerification, cmp.Or(ev.AgencyCode, c.AgencyCode), at)
		case domain.EventVerified:
			verif.halt(at)
		case domain.EventAssigned, domain.EventForwarded:
			if ev.ToAgencyCode == "" {
				return nil, nil, fmt.Errorf("clock: %s %s event at %s: %w", c.TrackingID, ev.Kind, at.Format(time.RFC3339),
					domain.Invalid("to_agency_code", "required for assigned and forwarded"))
			}
			verif.halt(at)
			if ev.ToAgencyCode == holder {
				continue
			}
			fr.halt(at)
			comp.halt(at)
			holder = ev.ToAgencyCode
			fr = open(domain.ClockFirstResponse, holder, at)
			comp = open(domain.ClockCompletion, holder, at)
		case domain.EventResponded:
			if fr.running() && (ev.AgencyCode == "" || ev.AgencyCode == fr.agency) {
				fr.halt(at)
			}
		case domain.EventClarificationRequested:
			if len(waits) == 0 || waits[len(waits)-1].answered {
				waits = append(waits, wait{from: at})
			}
		case domain.EventClarificationReceived:
			if n := len(waits); n > 0 && !waits[n-1].answered {
				waits[n-1].to, waits[n-1].answered = at, true
			}
		case domain.EventCompleted, domain.EventRejected, domain.EventClosed:
			stopAll(at)
		case domain.EventReopened:
			if holder == "" || comp.running() {
				continue
			}
			cycle++
			fr = open(domain.ClockFirstResponse, holder, at)
			comp = open(domain.ClockCompletion, holder, at)
		}
	}
	return spans, waits, nil
}

// measure counts days for one span in its agency's zone.
func (e Engine) measure(c domain.Complaint, s *span, waits []wait, now time.Time) (Clock, error) {
	kind, loc, ok := e.Agencies(s.agency)
	if !ok || loc == nil {
		return Clock{}, fmt.Errorf("agency %q: %w", s.agency, domain.ErrNotFound)
	}
	limit, rule, ok := e.Policy.Limit(c.ReportType, c.Category, kind, s.kind)
	if !ok {
		return Clock{}, domain.Invalidf("report_type", "policy %s has no %s limit for %q in a %s agency", e.Policy.Version, s.kind, c.ReportType, kind)
	}
	cal := e.Calendar
	startDay := workcal.DateOf(s.start, loc)
	end := now // the last instant that counts so far
	if s.stopped {
		end = s.stop
	}
	endDay := workcal.DateOf(end, loc)

	pauses, err := e.pauses(s, waits, end, loc)
	if err != nil {
		return Clock{}, err
	}
	paused := 0
	for _, p := range pauses {
		paused += p.WorkingDays
	}
	dueDay, err := dueDate(cal, startDay, limit, pauses, loc)
	if err != nil {
		return Clock{}, err
	}
	used := 0
	if !endDay.Before(startDay) {
		gross, err := cal.WorkingDaysBetween(startDay, endDay)
		if err != nil {
			return Clock{}, err
		}
		used = gross - paused
	}

	ck := Clock{
		Kind:              s.kind,
		AgencyCode:        s.agency,
		Cycle:             s.cycle,
		StartedAt:         s.start.In(loc),
		DueAt:             dueDay.End(loc),
		LimitDays:         limit,
		WorkingDaysUsed:   used,
		PausedWorkingDays: paused,
		Pauses:            pauses,
		PolicyVersion:     e.Policy.Version,
		PolicyRule:        rule,
		CalendarVersion:   cal.Version(),
	}
	switch {
	case s.stopped:
		stop := s.stop.In(loc)
		ck.StoppedAt = &stop
		ck.Verdict = domain.VerdictMet
		if endDay.After(dueDay) {
			ck.Verdict = domain.VerdictBreached
		}
	case endDay.After(dueDay):
		ck.Verdict = domain.VerdictOverdue
	default:
		ck.Verdict = runningVerdict(limit, used)
	}
	return ck, nil
}

// runningVerdict is at_risk when at most one working day or at most 20 % of
// the allowance remains.
func runningVerdict(limit, used int) domain.Verdict {
	remaining := limit - used
	if remaining <= 1 || remaining*5 <= limit {
		return domain.VerdictAtRisk
	}
	return domain.VerdictOpen
}

// pauses clips each clarification wait to the span [start, end] and to the
// policy cap, and counts its working days in loc.
func (e Engine) pauses(s *span, waits []wait, end time.Time, loc *time.Location) ([]Pause, error) {
	var out []Pause
	for _, w := range waits {
		from := w.from
		if from.Before(s.start) {
			from = s.start
		}
		to, ongoing := w.to, !w.answered
		if ongoing || to.After(end) {
			// Unanswered, or answered after the clock stopped (or after now).
			to, ongoing = end, !s.stopped
		}
		capped := false
		if capEnd := workcal.DateOf(w.from, loc).AddDays(e.Policy.PauseCapCalendarDays).End(loc); to.After(capEnd) {
			to, capped, ongoing = capEnd, true, false
		}
		if !to.After(from) {
			continue
		}
		n, err := e.Calendar.WorkingDaysBetween(workcal.DateOf(from, loc), workcal.DateOf(to, loc))
		if err != nil {
			return nil, err
		}
		out = append(out, Pause{From: from.In(loc), To: to.In(loc), WorkingDays: n, Capped: capped, Ongoing: ongoing})
	}
	return out, nil
}

// dueDate is the day of the limit-th counted working day after startDay,
// where days inside pauses do not count. Pauses are in time order and
// disjoint; a pause that begins before the current due day pushes it back by
// all of its working days, because none of them can be counted.
func dueDate(cal *workcal.Calendar, startDay workcal.Date, limit int, pauses []Pause, loc *time.Location) (workcal.Date, error) {
	extra := 0
	due, err := cal.AddWorkingDays(startDay, limit)
	if err != nil {
		return workcal.Date{}, err
	}
	for _, p := range pauses {
		if !workcal.DateOf(p.From, loc).Before(due) {
			break
		}
		extra += p.WorkingDays
		if due, err = cal.AddWorkingDays(startDay, limit+extra); err != nil {
			return workcal.Date{}, err
		}
	}
	return due, nil
}
