package clocks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// batchSize is how many complaints one recompute transaction covers.
const batchSize = 1000

// pageSize is how many complaint ids a keyset-paged recompute fetches at a
// time: several batches, so reading and computing the next batch overlaps
// writing the current one.
const pageSize = 20 * batchSize

// maxReportedFailures bounds the failure list a report carries.
const maxReportedFailures = 20

// Service recomputes and serves stored clocks, and applies holiday changes.
type Service struct {
	store     *store.Store
	calendars *Calendars
	policies  *Policies
	audit     *audit.Recorder
	log       *slog.Logger
	now       func() time.Time

	// OnClocksReplaced, when set, runs inside each recompute transaction
	// just before and just after the batch's clocks are replaced (the
	// roll-ups mark the periods both states touch).
	OnClocksReplaced func(ctx context.Context, tx *store.Store, complaintIDs []int64) error
}

// NewService builds the clock service.
func NewService(st *store.Store, cals *Calendars, pols *Policies, rec *audit.Recorder, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, calendars: cals, policies: pols, audit: rec, log: log, now: now}
}

// Calendars is the calendar service the clocks use.
func (s *Service) Calendars() *Calendars { return s.calendars }

// Report says what a recompute did.
type Report struct {
	Complaints int   `json:"complaints"` // complaints recomputed
	Clocks     int64 `json:"clocks"`     // clocks written
	Frozen     int64 `json:"frozen"`     // computed clocks left alone because the stored one had stopped
	Failed     int   `json:"failed"`     // complaints that could not be computed (kept as they were)
	// Failures lists the first few failures as "source/tracking_id: reason".
	Failures        []string `json:"failures,omitempty"`
	CalendarVersion string   `json:"calendar_version"`
	DurationMS      int64    `json:"duration_ms"`
}

func (r *Report) add(o Report) {
	r.Complaints += o.Complaints
	r.Clocks += o.Clocks
	r.Frozen += o.Frozen
	r.Failed += o.Failed
	for _, f := range o.Failures {
		if len(r.Failures) < maxReportedFailures {
			r.Failures = append(r.Failures, f)
		}
	}
	if o.CalendarVersion != "" {
		r.CalendarVersion = o.CalendarVersion
	}
}

// run is what one recompute pass shares: the calendar, the policies and the
// agencies, loaded once.
type run struct {
	cal      *workcal.Calendar
	policies PolicySet
	agencies map[string]store.ClockAgency
	locs     map[string]*time.Location
	now      time.Time
}

func (s *Service) newRun(ctx context.Context, now time.Time) (*run, error) {
	cal, _, err := s.calendars.Current(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := s.policies.InForce(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ClockAgencies(ctx)
	if err != nil {
		return nil, err
	}
	r := &run{cal: cal, policies: ps, agencies: make(map[string]store.ClockAgency, len(list)), locs: map[string]*time.Location{}, now: now}
	for _, a := range list {
		r.agencies[a.Code] = a
		if _, ok := r.locs[a.TimeZone]; !ok {
			if l, err := time.LoadLocation(a.TimeZone); err == nil {
				r.locs[a.TimeZone] = l
			}
		}
	}
	return r, nil
}

// loc returns a zone; the run's zones are loaded up front so that compute
// goroutines share the map read-only.
func (r *run) loc(tz string) (*time.Location, error) {
	if l, ok := r.locs[tz]; ok {
		return l, nil
	}
	l, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", tz, err)
	}
	return l, nil
}

func (r *run) agencyInfo(code string) (domain.AgencyKind, *time.Location, bool) {
	a, ok := r.agencies[code]
	if !ok {
		return "", nil, false
	}
	l, err := r.loc(a.TimeZone)
	if err != nil {
		return "", nil, false
	}
	return a.Kind, l, true
}

// compute runs the engine for one complaint. When the agencies involved fall
// under different policies (an override in one subtree), the engine runs once
// per policy and each clock is taken from the run of its agency's policy:
// a clock's measurement depends only on its own agency's limits.
func (r *run) compute(in store.ClockInput) ([]store.ClockRecord, error) {
	involved := []string{in.Complaint.AgencyCode}
	for _, e := range in.Events {
		involved = append(involved, e.AgencyCode, e.ToAgencyCode)
	}
	byVersion := map[string]slapolicy.Policy{}
	policyOf := map[string]string{}
	for _, code := range involved {
		if code == "" {
			continue
		}
		a, ok := r.agencies[code]
		if !ok {
			continue // the engine reports unknown agencies it actually needs
		}
		pol := r.policies.For(a.Path)
		byVersion[pol.Version] = pol
		policyOf[code] = pol.Version
	}
	if len(byVersion) == 0 {
		byVersion[r.policies.National.Version] = r.policies.National
	}
	var out []store.ClockRecord
	for version, pol := range byVersion {
		eng := clock.Engine{Policy: pol, Calendar: r.cal, Agencies: r.agencyInfo}
		cs, err := eng.Compute(in.Complaint, in.Events, r.now)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if len(byVersion) > 1 && policyOf[c.AgencyCode] != version {
				continue
			}
			a := r.agencies[c.AgencyCode]
			loc, _ := r.loc(a.TimeZone)
			out = append(out, store.ClockRecord{ComplaintID: in.ID, AgencyID: a.ID, GovernmentCode: a.GovernmentCode, Clock: c,
				TimeZone: a.TimeZone, NextCheckAt: nextCheck(c, r.cal, loc, r.now), ComputedAt: r.now})
		}
	}
	return out, nil
}

// nextCheck is when time alone next changes a running clock's verdict: the
// day it enters the at-risk band, then the day after its due day. A clock in
// an unanswered pause is looked at again the next day, since the pause moves
// its due date. Stopped and overdue clocks never change by time alone.
func nextCheck(c domain.Clock, cal *workcal.Calendar, loc *time.Location, now time.Time) *time.Time {
	if c.Stopped() || c.Verdict == domain.VerdictOverdue {
		return nil
	}
	tomorrow := workcal.DateOf(now, loc).AddDays(1).Start(loc).UTC()
	for _, p := range c.Pauses {
		if p.Ongoing {
			return &tomorrow
		}
	}
	at := workcal.DateOf(c.DueAt, loc).AddDays(1).Start(loc).UTC()
	if c.Verdict == domain.VerdictOpen {
		// at_risk once used ≥ limit − max(1, limit/5) (clock.runningVerdict);
		// with no pause running, used grows with working days only.
		threshold := c.LimitDays - max(1, c.LimitDays/5)
		day, err := cal.AddWorkingDays(workcal.DateOf(c.StartedAt, loc), threshold+c.PausedWorkingDays)
		if err != nil {
			return &tomorrow // beyond the calendar: look daily rather than never
		}
		if t := day.Start(loc).UTC(); t.Before(at) {
			at = t
		}
	}
	if !at.After(now) {
		at = tomorrow
	}
	return &at
}

// computedBatch is one batch on its way from the reader to the writer.
type computedBatch struct {
	ids   []int64 // every complaint of the batch, failed ones included
	okIDs []int64 // the complaints whose clocks were computed
	recs  []store.ClockRecord
	rep   Report // failures only
}

// recompute computes and stores the clocks of the given complaints in
// batches. A complaint that fails keeps its stored clocks and is reported.
// done, if set, runs inside each batch's transaction (e.g. clearing dirty
// marks) with the ids of that batch. A reader goroutine loads and computes
// the next batches on its own connection while writers store the computed
// ones, each batch in its own transaction: two writers on PostgreSQL, whose
// index upkeep is the bulk of the cost, one on SQLite, which has a single
// writer anyway.
func (s *Service) recompute(ctx context.Context, r *run, ids []int64, done func(tx *store.Store, ids []int64) error) (Report, error) {
	rep := Report{CalendarVersion: r.cal.Version()}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	writers := 1
	if s.store.Dialect() == store.Postgres && len(ids) > batchSize {
		writers = 2
	}
	batches := make(chan computedBatch, writers)
	errs := make(chan error, writers+1)
	go func() {
		defer close(batches)
		for start := 0; start < len(ids); start += batchSize {
			batch := ids[start:min(start+batchSize, len(ids))]
			inputs, err := s.store.ClockInputs(ctx, batch)
			if err != nil {
				errs <- err
				cancel()
				return
			}
			select {
			case batches <- s.computeBatch(ctx, r, batch, inputs):
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex // guards rep
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for b := range batches {
				if ctx.Err() != nil {
					continue // drain, so the reader can finish
				}
				res, err := s.writeBatch(ctx, b, done)
				mu.Lock()
				rep.add(b.rep)
				if err == nil {
					rep.Complaints += len(b.okIDs)
					rep.Clocks += res.Written
					rep.Frozen += res.Frozen
				}
				mu.Unlock()
				if err != nil {
					errs <- err
					cancel()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var first error
	for err := range errs { // the cause, not the cancellations it led to
		if first == nil || errors.Is(first, context.Canceled) {
			first = err
		}
	}
	return rep, first
}

// computeBatch runs the engine over a batch's complaints, split across the
// cores; the result keeps the input order.
func (s *Service) computeBatch(ctx context.Context, r *run, ids []int64, inputs []store.ClockInput) computedBatch {
	parts := min(runtime.GOMAXPROCS(0), max(1, len(inputs)/100))
	out := make([]computedBatch, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			part := &out[p]
			for _, in := range inputs[p*len(inputs)/parts : (p+1)*len(inputs)/parts] {
				cs, err := r.compute(in)
				if err != nil {
					part.rep.Failed++
					if len(part.rep.Failures) < maxReportedFailures {
						part.rep.Failures = append(part.rep.Failures, fmt.Sprintf("%s/%s: %v", in.Complaint.Source, in.Complaint.TrackingID, err))
					}
					s.log.WarnContext(ctx, "clock recompute failed", "source", in.Complaint.Source, "tracking_id", in.Complaint.TrackingID, "err", err)
					continue
				}
				part.recs = append(part.recs, cs...)
				part.okIDs = append(part.okIDs, in.ID)
			}
		})
	}
	wg.Wait()
	b := computedBatch{ids: ids, okIDs: make([]int64, 0, len(inputs))}
	for _, part := range out {
		b.okIDs = append(b.okIDs, part.okIDs...)
		b.recs = append(b.recs, part.recs...)
		b.rep.add(part.rep)
	}
	return b
}

// writeBatch stores a computed batch in one transaction, with the roll-up
// hook before and after and the caller's done callback.
func (s *Service) writeBatch(ctx context.Context, b computedBatch, done func(tx *store.Store, ids []int64) error) (store.ClockWriteResult, error) {
	var res store.ClockWriteResult
	err := s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if s.OnClocksReplaced != nil {
			if err := s.OnClocksReplaced(ctx, tx, b.ids); err != nil {
				return err
			}
		}
		var err error
		if res, err = tx.ReplaceOpenClocks(ctx, b.okIDs, b.recs); err != nil {
			return err
		}
		if s.OnClocksReplaced != nil {
			if err := s.OnClocksReplaced(ctx, tx, b.ids); err != nil {
				return err
			}
		}
		if done != nil {
			return done(tx, b.ids)
		}
		return nil
	})
	return res, err
}

func (s *Service) timed(ctx context.Context, what string, fn func() (Report, error)) (Report, error) {
	t0 := time.Now()
	rep, err := fn()
	rep.DurationMS = time.Since(t0).Milliseconds()
	if err == nil && rep.Complaints+rep.Failed > 0 {
		s.log.InfoContext(ctx, "clocks recomputed", "what", what, "complaints", rep.Complaints, "clocks", rep.Clocks,
			"frozen", rep.Frozen, "failed", rep.Failed, "calendar_version", rep.CalendarVersion, "ms", rep.DurationMS)
	}
	return rep, err
}

// RecomputeComplaints recomputes the given complaints now.
func (s *Service) RecomputeComplaints(ctx context.Context, ids []int64) (Report, error) {
	now := s.now()
	r, err := s.newRun(ctx, now)
	if err != nil {
		return Report{}, err
	}
	return s.recompute(ctx, r, ids, nil)
}

// RecomputeDirty recomputes the complaints ingest marked dirty, and only
// them, clearing each mark in the transaction that stores its clocks (a mark
// renewed meanwhile stays for the next pass). Ingest calls it after each
// committed batch.
func (s *Service) RecomputeDirty(ctx context.Context) (Report, error) {
	return s.timed(ctx, "dirty", func() (Report, error) {
		var total Report
		var r *run
		for {
			dirty, err := s.store.DirtyComplaints(ctx, batchSize)
			if err != nil || len(dirty) == 0 {
				return total, err
			}
			if r == nil {
				if r, err = s.newRun(ctx, s.now()); err != nil {
					return total, err
				}
			}
			ids := make([]int64, len(dirty))
			for i, d := range dirty {
				ids[i] = d.ComplaintID
			}
			rep, err := s.recompute(ctx, r, ids, func(tx *store.Store, _ []int64) error {
				for _, d := range dirty {
					if err := tx.ClearDirtyComplaint(ctx, d); err != nil {
						return err
					}
				}
				return nil
			})
			total.add(rep)
			if err != nil {
				return total, err
			}
			if len(dirty) < batchSize {
				return total, nil
			}
		}
	})
}

// RecomputeAgency recomputes every complaint assigned within the agency's
// subtree or touched by an event of an agency in it.
func (s *Service) RecomputeAgency(ctx context.Context, code string) (Report, error) {
	a, err := s.store.AgencyByCode(ctx, code)
	if err != nil {
		return Report{}, err
	}
	r, err := s.newRun(ctx, s.now())
	if err != nil {
		return Report{}, err
	}
	path := r.agencies[a.Code].Path
	return s.timed(ctx, "agency "+code, func() (Report, error) {
		return s.pages(ctx, r, func(after int64) ([]int64, error) { return s.store.ComplaintIDsAfter(ctx, after, pageSize, path) })
	})
}

// RecomputeAll recomputes every complaint (stopped clocks stay frozen).
func (s *Service) RecomputeAll(ctx context.Context) (Report, error) {
	r, err := s.newRun(ctx, s.now())
	if err != nil {
		return Report{}, err
	}
	return s.timed(ctx, "all", func() (Report, error) {
		return s.pages(ctx, r, func(after int64) ([]int64, error) { return s.store.ComplaintIDsAfter(ctx, after, pageSize, "") })
	})
}

// RecomputeOpen recomputes every complaint that has a running clock.
func (s *Service) RecomputeOpen(ctx context.Context) (Report, error) {
	r, err := s.newRun(ctx, s.now())
	if err != nil {
		return Report{}, err
	}
	return s.timed(ctx, "open", func() (Report, error) {
		return s.pages(ctx, r, func(after int64) ([]int64, error) {
			return s.store.ComplaintIDsWithOpenClocks(ctx, after, pageSize)
		})
	})
}

// pages walks keyset pages of complaint ids.
func (s *Service) pages(ctx context.Context, r *run, next func(after int64) ([]int64, error)) (Report, error) {
	var total Report
	total.CalendarVersion = r.cal.Version()
	var after int64
	for {
		ids, err := next(after)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		rep, err := s.recompute(ctx, r, ids, nil)
		total.add(rep)
		if err != nil {
			return total, err
		}
		after = ids[len(ids)-1]
	}
}

// Sweep refreshes the running clocks whose verdict time alone has moved by
// now (open → at risk → overdue), found through next_check_at; nothing else
// is recomputed. The scheduler calls it every few minutes.
func (s *Service) Sweep(ctx context.Context, now time.Time) (Report, error) {
	r, err := s.newRun(ctx, now)
	if err != nil {
		return Report{}, err
	}
	return s.timed(ctx, "sweep", func() (Report, error) {
		var total Report
		total.CalendarVersion = r.cal.Version()
		var after int64
		for {
			ids, err := s.store.ComplaintsToSweep(ctx, now, after, pageSize)
			if err != nil || len(ids) == 0 {
				return total, err
			}
			rep, err := s.recompute(ctx, r, ids, nil)
			total.add(rep)
			if err != nil {
				return total, err
			}
			after = ids[len(ids)-1]
		}
	})
}

// recomputeTouching recomputes the complaints with a running clock whose
// window (the local days after its start up to its due day) contains one of
// the changed days: exactly the clocks a holiday change can move.
func (s *Service) recomputeTouching(ctx context.Context, days []workcal.Date) (Report, error) {
	if len(days) == 0 {
		return Report{}, nil
	}
	lo, hi := days[0], days[0]
	set := map[workcal.Date]bool{}
	for _, d := range days {
		set[d] = true
		if d.Before(lo) {
			lo = d
		}
		if d.After(hi) {
			hi = d
		}
	}
	// Pad a day either side for the zones (UTC+7 to UTC+9), then decide
	// precisely by local day.
	spans, err := s.store.OpenClocksOverlapping(ctx, lo.AddDays(-1).Start(time.UTC), hi.AddDays(2).Start(time.UTC))
	if err != nil {
		return Report{}, err
	}
	r, err := s.newRun(ctx, s.now())
	if err != nil {
		return Report{}, err
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, sp := range spans {
		if seen[sp.ComplaintID] {
			continue
		}
		loc, err := r.loc(sp.TimeZone)
		if err != nil {
			return Report{}, err
		}
		start, due := workcal.DateOf(sp.StartedAt, loc), workcal.DateOf(sp.DueAt, loc)
		for d := range set {
			if d.After(start) && !d.After(due) {
				seen[sp.ComplaintID] = true
				ids = append(ids, sp.ComplaintID)
				break
			}
		}
	}
	slices.Sort(ids) // batches of neighbouring rows
	return s.timed(ctx, "holiday change", func() (Report, error) { return s.recompute(ctx, r, ids, nil) })
}

// Scope selects what an on-demand recompute covers.
type Scope struct {
	// AgencyCode limits it to complaints within the agency's subtree.
	AgencyCode string `json:"agency_code,omitempty"`
	// All recomputes every complaint; otherwise (and without an agency) only
	// the dirty ones.
	All bool `json:"all,omitempty"`
}

// Recompute runs an on-demand recompute (admin only): an agency's subtree,
// everything, or the dirty complaints.
func (s *Service) Recompute(ctx context.Context, actor access.Principal, sc Scope) (Report, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return Report{}, err
	}
	switch {
	case sc.AgencyCode != "" && sc.All:
		return Report{}, domain.Invalid("all", "give an agency or all, not both")
	case sc.AgencyCode != "":
		return s.RecomputeAgency(ctx, sc.AgencyCode)
	case sc.All:
		return s.RecomputeAll(ctx)
	}
	return s.RecomputeDirty(ctx)
}

// SweepNow is Sweep at the current time for an admin caller.
func (s *Service) SweepNow(ctx context.Context, actor access.Principal) (Report, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return Report{}, err
	}
	return s.Sweep(ctx, s.now())
}

// AfterIngest is the ingest service's AfterCommit hook: the dirty-only
// recompute. A failure is logged, not returned, because the ingest batch has
// committed; its dirty marks stay for the next pass.
func (s *Service) AfterIngest(ctx context.Context) {
	if _, err := s.RecomputeDirty(ctx); err != nil {
		s.log.ErrorContext(ctx, "clock recompute after ingest failed; dirty complaints stay marked", "err", err)
	}
}

// RecomputeMissing computes the complaints that have no stored clock yet
// (e.g. stored before the clock engine ran). Complaints that fail stay
// without clocks and are reported each time.
func (s *Service) RecomputeMissing(ctx context.Context) (Report, error) {
	r, err := s.newRun(ctx, s.now())
	if err != nil {
		return Report{}, err
	}
	return s.timed(ctx, "missing", func() (Report, error) {
		return s.pages(ctx, r, func(after int64) ([]int64, error) {
			return s.store.ComplaintIDsWithoutClocks(ctx, after, pageSize)
		})
	})
}

// ClockCounts counts stored clocks by verdict.
func (s *Service) ClockCounts(ctx context.Context) (map[domain.Verdict]int64, error) {
	return s.store.ClockCounts(ctx)
}
