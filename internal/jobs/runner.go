package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Defaults of Options.
const (
	DefaultHeartbeat  = 30 * time.Second
	DefaultStaleAfter = 2 * time.Minute
)

// ReasonReplicaDied is the error of a run its replica never finished.
const ReasonReplicaDied = "replica died: the run was still marked running when its replica restarted or stopped sending heartbeats"

// slotTolerance absorbs a timer that wakes a hair before the scheduled
// second by the wall clock: the slot is the last scheduled instant at or
// before now plus this, so every replica names the same slot.
const slotTolerance = 500 * time.Millisecond

// Options configure a Runner.
type Options struct {
	// Replica names this process in run records (DefaultReplicaID if empty).
	Replica string
	// Location the schedules are read in; nil: Asia/Jakarta.
	Location *time.Location
	// Schedules override jobs' schedules by name (TANGGAP_JOB_SCHEDULES).
	Schedules map[string]string
	// Heartbeat is how often a running job proves it is alive; StaleAfter is
	// how old a heartbeat may get before any replica fails the run.
	Heartbeat  time.Duration
	StaleAfter time.Duration
	Log        *slog.Logger
	Now        func() time.Time
}

// entry is a registered job with its effective schedule.
type entry struct {
	Job
	spec  string        // effective schedule, "" when off
	sched cron.Schedule // nil when off
	// busy is held while this replica runs the job, by the scheduler or by
	// hand, so the two never overlap here.
	busy sync.Mutex
}

// Runner schedules, runs and records jobs.
type Runner struct {
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	parser  cron.Parser
	replica string
	hb      time.Duration
	stale   time.Duration
	entries []*entry
	byName  map[string]*entry

	// runCtx is every run's parent context, cancelled by Stop.
	runCtx context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	cron    *cron.Cron
	stopped bool
}

// Jakarta is the zone the schedules are read in (design §3.8).
func Jakarta() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600) // no tzdata: Jakarta has no DST
	}
	return loc
}

// NewRunner checks every schedule (a bad override is a start-up error) and
// builds the runner. Nothing runs until Start or a manual run.
func NewRunner(st *store.Store, reg *Registry, opts Options) (*Runner, error) {
	r := &Runner{st: st, log: opts.Log, now: opts.Now, loc: opts.Location, replica: opts.Replica,
		hb: opts.Heartbeat, stale: opts.StaleAfter, byName: map[string]*entry{}}
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.loc == nil {
		r.loc = Jakarta()
	}
	if r.replica == "" {
		r.replica = DefaultReplicaID()
	}
	if r.hb <= 0 {
		r.hb = DefaultHeartbeat
	}
	if r.stale <= 0 {
		r.stale = DefaultStaleAfter
	}
	if r.stale < 3*r.hb {
		return nil, fmt.Errorf("jobs: stale threshold %s must be at least three heartbeats (%s): %w", r.stale, r.hb, domain.ErrInvalid)
	}
	// an optional leading seconds field serves tests and replica drills
	r.parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for name := range opts.Schedules {
		if _, ok := reg.Job(name); !ok {
			return nil, fmt.Errorf("jobs: schedule given for unknown job %q (known: %s): %w", name, strings.Join(names(reg), ", "), domain.ErrInvalid)
		}
	}
	for _, j := range reg.Jobs() {
		e := &entry{Job: j, spec: j.Schedule}
		if s, ok := opts.Schedules[j.Name]; ok {
			e.spec = s
		}
		if e.spec == Off {
			e.spec = ""
		}
		if e.spec != "" {
			sched, err := r.parse(e.spec)
			if err != nil {
				return nil, fmt.Errorf("jobs: %s: schedule %q: %w", j.Name, e.spec, err)
			}
			e.sched = sched
		}
		r.entries = append(r.entries, e)
		r.byName[j.Name] = e
	}
	r.runCtx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

func names(reg *Registry) []string {
	var out []string
	for _, j := range reg.Jobs() {
		out = append(out, j.Name)
	}
	return out
}

// parse reads a spec. "@every" is refused: its instants depend on when each
// replica started, so replicas would never agree on a slot.
func (r *Runner) parse(spec string) (cron.Schedule, error) {
	if strings.HasPrefix(spec, "@every") {
		return nil, fmt.Errorf("@every is not wall-clock aligned, so replicas could not share slots; use a cron spec such as */10 * * * *: %w", domain.ErrInvalid)
	}
	s, err := r.parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, domain.ErrInvalid)
	}
	return s, nil
}

// Replica is this process's name in run records.
func (r *Runner) Replica() string { return r.replica }

// Start recovers runs that died and starts the schedule. Runs left
// "running" under this replica's own name are failed first: this process
// has just started, so they cannot be alive.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cron != nil || r.stopped {
		return fmt.Errorf("jobs: scheduler already started or stopped: %w", domain.ErrConflict)
	}
	if _, err := r.recoverRuns(ctx, true); err != nil {
		return err
	}
	cl := cronLogger{r.log}
	c := cron.New(cron.WithLocation(r.loc), cron.WithParser(r.parser), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	for _, e := range r.entries {
		if e.sched == nil {
			continue
		}
		c.Schedule(e.sched, cron.FuncJob(func() { r.tick(e) }))
	}
	c.Start()
	r.cron = c
	r.log.Info("scheduler started", "replica", r.replica, "zone", r.loc.String(), "jobs", len(r.entries))
	return nil
}

// Stop stops scheduling, cancels the runs in progress and waits (until ctx
// ends) for them to record how they ended. Safe to call without Start.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	c := r.cron
	r.stopped = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		if c != nil {
			<-c.Stop().Done()
		}
		r.wg.Wait()
		close(done)
	}()
	// runs are idempotent: a cancelled one is finished by the next slot
	r.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: runs still in progress at shutdown (their records stay running until recovered): %w", ctx.Err())
	}
}

// Recover fails the runs whose replica is known dead (a process of this host
// that no longer exists) or whose heartbeat is stale, and returns them.
func (r *Runner) Recover(ctx context.Context) ([]store.JobRun, error) {
	return r.recoverRuns(ctx, false)
}

func (r *Runner) recoverRuns(ctx context.Context, self bool) ([]store.JobRun, error) {
	running, err := r.st.RunningJobReplicas(ctx)
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, rep := range running {
		if (self && rep == r.replica) || (rep != r.replica && deadLocalReplica(rep)) {
			dead = append(dead, rep)
		}
	}
	now := r.now()
	failed, err := r.st.FailStaleJobRuns(ctx, now.Add(-r.stale), dead, ReasonReplicaDied, now)
	if err != nil {
		return nil, err
	}
	for _, f := range failed {
		r.log.Warn("job run marked failed", "job", f.Job, "slot", f.Slot, "replica", f.Replica, "run", f.ID, "reason", "replica died")
	}
	return failed, nil
}

// SlotAt is the scheduled instant a wake-up at now belongs to: the last
// instant of the schedule at or before now (within slotTolerance).
func SlotAt(sched cron.Schedule, now time.Time) time.Time {
	t := now.Add(slotTolerance)
	// a wake-up is late by far less than this; beyond it, fall back to the
	// second (replicas that late would each take their own slot)
	const lookback = time.Minute
	slot := sched.Next(t.Add(-lookback))
	if slot.After(t) {
		return now.Truncate(time.Second)
	}
	for {
		next := sched.Next(slot)
		if next.After(t) || !next.After(slot) {
			return slot
		}
		slot = next
	}
}

func slotName(at time.Time) string { return at.UTC().Format(time.RFC3339) }

// tick is one scheduled wake-up of one job on this replica.
func (r *Runner) tick(e *entry) {
	ctx := r.runCtx
	if ctx.Err() != nil {
		return
	}
	now := r.now()
	slot := SlotAt(e.sched, now.In(r.loc))
	if _, err := r.recoverRuns(ctx, false); err != nil {
		r.log.Error("job run recovery", "err", err)
	}
	run, claimed, err := r.st.ClaimJobRun(ctx, store.JobRun{Job: e.Name, Slot: slotName(slot), ScheduledAt: &slot, Replica: r.replica, StartedAt: now})
	if err != nil {
		r.log.Error("job slot claim failed", "job", e.Name, "slot", slotName(slot), "err", err)
		return
	}
	if !claimed {
		r.log.Debug("job slot taken by another replica", "job", e.Name, "slot", slotName(slot))
		return
	}
	// Scheduled runs never overlap (SkipIfStillRunning), so a held lock is
	// a manual run: the slot waits for it rather than being lost.
	for !e.busy.TryLock() {
		select {
		case <-ctx.Done():
			r.finish(context.WithoutCancel(ctx), run, store.JobSkipped, nil, "shut down while a manual run was in progress", now)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer e.busy.Unlock()
	r.wg.Add(1)
	defer r.wg.Done()
	r.execute(ctx, e, run)
}

// ErrRunning is returned when a manual run finds the job already running.
var ErrRunning = fmt.Errorf("job is already running: %w", domain.ErrConflict)

// RunNow runs a job by hand and waits for it; the run is recorded under a
// slot of its own ("manual:…"), so it never takes a scheduled slot. The
// returned run is final; a failed job is a failed run, not an error.
func (r *Runner) RunNow(ctx context.Context, actor access.Principal, name string) (store.JobRun, error) {
	e, run, err := r.beginManual(ctx, actor, name)
	if err != nil {
		return run, err
	}
	// Release the job before the wait group: once Stop returns, no job is held.
	defer r.wg.Done()
	defer e.busy.Unlock()
	run = r.execute(ctx, e, run)
	if run.Outcome == store.JobSkipped {
		return run, fmt.Errorf("%s %s: %w", name, run.Error, ErrRunning)
	}
	return run, nil
}

// Trigger starts a manual run in the background (cancelled by Stop) and
// returns its record as it starts.
func (r *Runner) Trigger(ctx context.Context, actor access.Principal, name string) (store.JobRun, error) {
	e, run, err := r.beginManual(ctx, actor, name)
	if err != nil {
		return run, err
	}
	go func() {
		defer r.wg.Done()
		defer e.busy.Unlock()
		r.execute(r.runCtx, e, run)
	}()
	return run, nil
}

// beginManual checks the caller, takes the job's local lock and records the
// run. On success the caller owns e.busy and one r.wg count.
func (r *Runner) beginManual(ctx context.Context, actor access.Principal, name string) (*entry, store.JobRun, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return nil, store.JobRun{}, err
	}
	e, ok := r.byName[name]
	if !ok {
		return nil, store.JobRun{}, fmt.Errorf("job %q: %w", name, domain.ErrNotFound)
	}
	r.mu.Lock()
	stopping := r.stopped
	r.mu.Unlock()
	if stopping {
		return nil, store.JobRun{}, fmt.Errorf("jobs: shutting down: %w", domain.ErrUnavailable)
	}
	if !e.busy.TryLock() {
		return nil, store.JobRun{}, fmt.Errorf("%s on this replica: %w", name, ErrRunning)
	}
	// counted under mu, so Stop either sees this run or refuses it
	r.mu.Lock()
	stopped := r.stopped
	if !stopped {
		r.wg.Add(1)
	}
	r.mu.Unlock()
	if stopped {
		e.busy.Unlock()
		return nil, store.JobRun{}, fmt.Errorf("jobs: shutting down: %w", domain.ErrUnavailable)
	}
	if _, err := r.recoverRuns(ctx, false); err != nil {
		r.log.Error("job run recovery", "err", err)
	}
	now := r.now()
	run, claimed, err := r.st.ClaimJobRun(ctx, store.JobRun{Job: name, Slot: manualSlot(now), Replica: r.replica, Manual: true,
		Actor: actor.Actor(), StartedAt: now})
	if err == nil && !claimed {
		err = fmt.Errorf("manual slot collision: %w", domain.ErrConflict) // random suffix: not expected
	}
	if err != nil {
		e.busy.Unlock()
		r.wg.Done()
		return nil, store.JobRun{}, err
	}
	return e, run, nil
}

func manualSlot(now time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "manual:" + now.UTC().Format("20060102T150405.000000Z") + ":" + hex.EncodeToString(b[:])
}

// execute runs a claimed run's body under the job's advisory lock, with a
// heartbeat, and records the outcome.
func (r *Runner) execute(ctx context.Context, e *entry, run store.JobRun) store.JobRun {
	unlock, ok, err := r.st.TryJobLock(ctx, e.Name)
	if err != nil {
		return r.finish(ctx, run, store.JobFailed, nil, "job lock: "+err.Error(), r.now())
	}
	if !ok {
		return r.finish(ctx, run, store.JobSkipped, nil, "running on another replica", r.now())
	}
	defer unlock()
	r.log.Info("job started", "job", e.Name, "slot", run.Slot, "replica", r.replica, "run", run.ID, "manual", run.Manual)
	hbCtx, stopHB := context.WithCancel(ctx)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		r.heartbeat(hbCtx, run.ID)
	}()
	counts, err := r.call(ctx, e, r.now())
	stopHB()
	<-hbDone
	if err != nil {
		return r.finish(ctx, run, store.JobFailed, counts, err.Error(), r.now())
	}
	return r.finish(ctx, run, store.JobSucceeded, counts, "", r.now())
}

// call runs the body, turning a panic into the run's error.
func (r *Runner) call(ctx context.Context, e *entry, now time.Time) (counts Counts, err error) {
	defer func() {
		if p := recover(); p != nil {
			buf := make([]byte, 16<<10)
			buf = buf[:runtime.Stack(buf, false)]
			r.log.Error("job panicked", "job", e.Name, "panic", fmt.Sprint(p), "stack", string(buf))
			counts, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return e.Run(ctx, now)
}

func (r *Runner) heartbeat(ctx context.Context, id int64) {
	t := time.NewTicker(r.hb)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.st.HeartbeatJobRun(ctx, id, r.now()); err != nil && ctx.Err() == nil {
				r.log.Warn("job heartbeat failed", "run", id, "err", err)
			}
		}
	}
}

// finish records the outcome, even when ctx was cancelled by shutdown.
func (r *Runner) finish(ctx context.Context, run store.JobRun, outcome string, counts Counts, errText string, now time.Time) store.JobRun {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.st.FinishJobRun(fctx, run.ID, outcome, counts, errText, now); err != nil {
		r.log.Error("job run record failed", "job", run.Job, "run", run.ID, "err", err)
	}
	run.Outcome, run.Counts, run.Error = outcome, counts, errText
	n := now.UTC()
	run.FinishedAt, run.UpdatedAt = &n, n
	attrs := []any{"job", run.Job, "slot", run.Slot, "replica", run.Replica, "run", run.ID, "outcome", outcome,
		"duration_ms", now.Sub(run.StartedAt).Milliseconds()}
	for _, k := range sortedKeys(counts) {
		attrs = append(attrs, k, counts[k])
	}
	switch outcome {
	case store.JobFailed:
		r.log.Error("job finished", append(attrs, "err", errText)...)
	case store.JobSkipped:
		r.log.Info("job skipped", append(attrs, "reason", errText)...)
	default:
		r.log.Info("job finished", attrs...)
	}
	return run
}

func sortedKeys(c Counts) []string {
	ks := make([]string, 0, len(c))
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Status is a job as `GET /api/v1/jobs` and `tanggap jobs` show it.
type Status struct {
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Schedule    string        `json:"schedule"`
	Enabled     bool          `json:"enabled"`
	NextRun     *time.Time    `json:"next_run,omitempty"`
	LastRun     *store.JobRun `json:"last_run,omitempty"`
	LastSuccess *store.JobRun `json:"last_success,omitempty"`
}

// Statuses lists every job with its next, last and last successful run.
// Readers and admins only: run records name replicas and actors.
func (r *Runner) Statuses(ctx context.Context, actor access.Principal) ([]Status, error) {
	if err := requireReaderOrAdmin(actor); err != nil {
		return nil, err
	}
	last, ok, err := r.st.LatestJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	now := r.now().In(r.loc)
	out := make([]Status, 0, len(r.entries))
	for _, e := range r.entries {
		s := Status{Name: e.Name, Description: e.Description, Schedule: e.spec, Enabled: e.sched != nil}
		if s.Schedule == "" {
			s.Schedule = Off
		}
		if e.sched != nil {
			next := e.sched.Next(now).In(r.loc)
			s.NextRun = &next
		}
		if l, found := last[e.Name]; found {
			s.LastRun = &l
		}
		if l, found := ok[e.Name]; found {
			s.LastSuccess = &l
		}
		out = append(out, s)
	}
	return out, nil
}

// Runs lists a job's recent runs, newest first.
func (r *Runner) Runs(ctx context.Context, actor access.Principal, name string, limit int) ([]store.JobRun, error) {
	if err := requireReaderOrAdmin(actor); err != nil {
		return nil, err
	}
	if _, ok := r.byName[name]; !ok {
		return nil, fmt.Errorf("job %q: %w", name, domain.ErrNotFound)
	}
	return r.st.JobRuns(ctx, name, limit)
}

func requireReaderOrAdmin(p access.Principal) error {
	if err := access.RequireReader(p); err != nil {
		return err
	}
	if p.Role != access.RoleAdmin && p.Role != access.RoleReader {
		return fmt.Errorf("job runs are for reader or admin tokens: %w", domain.ErrForbidden)
	}
	return nil
}

// cronLogger adapts slog to cron's logger; cron's chatty Info lines go to
// debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
