package jobs_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

var jakarta = jobs.Jakarta()

// twoHandles opens two stores (two "replicas", each with its own pool) on
// one private, migrated database of each back-end.
func twoHandles(t *testing.T, fn func(t *testing.T, a, b *store.Store)) {
	open := func(t *testing.T, opts store.Options) *store.Store {
		st, err := store.Open(context.Background(), opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	t.Run("sqlite", func(t *testing.T) {
		path := storetest.SQLitePath(t)
		a := open(t, store.Options{SQLitePath: path})
		_, err := a.MigrateUp(context.Background())
		require.NoError(t, err)
		fn(t, a, open(t, store.Options{SQLitePath: path}))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURLForTest(t, false)
		fn(t, open(t, store.Options{DatabaseURL: url, MaxOpenConns: 4}), open(t, store.Options{DatabaseURL: url, MaxOpenConns: 4}))
	})
}

func newRunner(t *testing.T, st *store.Store, reg *jobs.Registry, opts jobs.Options) *jobs.Runner {
	t.Helper()
	r, err := jobs.NewRunner(st, reg, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}

func stop(t *testing.T, rs ...*jobs.Runner) {
	t.Helper()
	for _, r := range rs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		require.NoError(t, r.Stop(ctx))
		cancel()
	}
}

func runsOf(t *testing.T, st *store.Store, job string) []store.JobRun {
	t.Helper()
	runs, err := st.JobRuns(context.Background(), job, 1000)
	require.NoError(t, err)
	sort.Slice(runs, func(i, j int) bool { return runs[i].ID < runs[j].ID })
	return runs
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTwoReplicasRunEachSlotOnce: two schedulers on one database wake for
// every second; each slot's body runs exactly once and no slot is lost.
func TestTwoReplicasRunEachSlotOnce(t *testing.T) {
	twoHandles(t, func(t *testing.T, a, b *store.Store) {
		var bodies atomic.Int64
		var mu sync.Mutex
		byReplica := map[string]int{}
		reg := func(name string) *jobs.Registry {
			r := jobs.NewRegistry()
			r.Add(jobs.Job{Name: "tick", Schedule: "* * * * * *", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
				bodies.Add(1)
				mu.Lock()
				byReplica[name]++
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				return jobs.Counts{"ticks": 1}, nil
			}})
			return r
		}
		ra := newRunner(t, a, reg("a"), jobs.Options{Replica: "replica-a"})
		rb := newRunner(t, b, reg("b"), jobs.Options{Replica: "replica-b"})
		ctx := context.Background()
		require.NoError(t, ra.Start(ctx))
		require.NoError(t, rb.Start(ctx))
		time.Sleep(5200 * time.Millisecond)
		stop(t, ra, rb)

		runs := runsOf(t, a, "tick")
		require.GreaterOrEqual(t, len(runs), 4, "about five one-second slots in 5.2 s")
		require.EqualValues(t, len(runs), bodies.Load(), "one body run per recorded slot, although both replicas woke for each")
		var slots []time.Time
		for _, r := range runs {
			require.Equal(t, store.JobSucceeded, r.Outcome, "run %d: %s", r.ID, r.Error)
			require.Contains(t, []string{"replica-a", "replica-b"}, r.Replica)
			require.Equal(t, map[string]int64{"ticks": 1}, r.Counts)
			require.NotNil(t, r.ScheduledAt)
			require.Equal(t, r.ScheduledAt.Format(time.RFC3339), r.Slot)
			slots = append(slots, *r.ScheduledAt)
		}
		sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
		for i := 1; i < len(slots); i++ {
			require.Equal(t, time.Second, slots[i].Sub(slots[i-1]), "consecutive slots, none lost or doubled: %v", slots)
		}
		t.Logf("runs per replica: %v", byReplica)
	})
}

// TestPanicIsRecordedAndNextSlotRuns: a panicking body is a failed run with
// its message; the scheduler carries on with the next slot.
func TestPanicIsRecordedAndNextSlotRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var calls atomic.Int64
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "flaky", Schedule: "* * * * * *", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			if calls.Add(1) == 1 {
				panic("boom: nil map")
			}
			return jobs.Counts{"ok": 1}, nil
		}})
		r := newRunner(t, st, reg, jobs.Options{Replica: "solo"})
		require.NoError(t, r.Start(context.Background()))
		waitFor(t, 5*time.Second, "a run after the panic", func() bool {
			runs := runsOf(t, st, "flaky")
			return len(runs) >= 2 && runs[1].Outcome != store.JobRunning
		})
		stop(t, r)
		runs := runsOf(t, st, "flaky")
		require.Equal(t, store.JobFailed, runs[0].Outcome)
		require.Equal(t, "panic: boom: nil map", runs[0].Error)
		require.NotNil(t, runs[0].FinishedAt)
		require.Equal(t, store.JobSucceeded, runs[1].Outcome)
		require.Equal(t, map[string]int64{"ok": 1}, runs[1].Counts)
		require.Greater(t, runs[1].ScheduledAt.Unix(), runs[0].ScheduledAt.Unix())
	})
}

// TestManualRuns: a manual run takes a slot of its own, refuses to overlap a
// run of the same job on this replica, and records failures like any run.
func TestManualRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		release := make(chan struct{})
		started := make(chan struct{}, 10)
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "slow", Schedule: jobs.Off, Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return jobs.Counts{"done": 1}, nil
		}})
		reg.Add(jobs.Job{Name: "broken", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			return jobs.Counts{"partial": 2}, errors.New("source unreachable")
		}})
		r := newRunner(t, st, reg, jobs.Options{Replica: "solo"})

		tests := []struct {
			name    string
			actor   access.Principal
			job     string
			wantErr error
		}{
			{"anonymous", access.Principal{}, "slow", domain.ErrUnauthorized},
			{"reader", access.Principal{Name: "r", Role: access.RoleReader}, "slow", domain.ErrForbidden},
			{"unknown job", access.CLI(), "nope", domain.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := r.RunNow(ctx, tc.actor, tc.job)
				require.ErrorIs(t, err, tc.wantErr)
			})
		}

		first, err := r.Trigger(ctx, access.CLI(), "slow")
		require.NoError(t, err)
		require.True(t, first.Manual)
		require.True(t, strings.HasPrefix(first.Slot, "manual:"), first.Slot)
		require.Equal(t, "cli", first.Actor)
		<-started
		_, err = r.RunNow(ctx, access.CLI(), "slow")
		require.ErrorIs(t, err, jobs.ErrRunning, "no second run of the same job on this replica")
		require.ErrorIs(t, err, domain.ErrConflict)
		close(release)
		waitFor(t, 5*time.Second, "the background run", func() bool {
			return runsOf(t, st, "slow")[0].Outcome == store.JobSucceeded
		})
		again, err := r.RunNow(ctx, access.CLI(), "slow")
		require.NoError(t, err)
		require.Equal(t, store.JobSucceeded, again.Outcome)
		require.NotEqual(t, first.Slot, again.Slot)

		failed, err := r.RunNow(ctx, access.CLI(), "broken")
		require.NoError(t, err, "a failed job is a failed run, not an error of RunNow")
		require.Equal(t, store.JobFailed, failed.Outcome)
		require.Equal(t, "source unreachable", failed.Error)
		stored := runsOf(t, st, "broken")
		require.Len(t, stored, 1)
		require.Equal(t, map[string]int64{"partial": 2}, stored[0].Counts)
		require.Equal(t, failed.Error, stored[0].Error)
	})
}

// TestManualRunBesideScheduledSlots: manual runs while the scheduler runs
// the same job every second never take or block a scheduled slot.
func TestManualRunBesideScheduledSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "quick", Schedule: "* * * * * *", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			return jobs.Counts{"n": 1}, nil
		}})
		r := newRunner(t, st, reg, jobs.Options{Replica: "solo"})
		require.NoError(t, r.Start(context.Background()))
		manual := 0
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			run, err := r.RunNow(context.Background(), access.CLI(), "quick")
			if errors.Is(err, jobs.ErrRunning) {
				continue // a scheduled run was in progress here: refused, not queued
			}
			require.NoError(t, err)
			require.Equal(t, store.JobSucceeded, run.Outcome)
			manual++
			time.Sleep(100 * time.Millisecond)
		}
		stop(t, r)
		var scheduled []time.Time
		for _, run := range runsOf(t, st, "quick") {
			if run.Manual {
				require.Nil(t, run.ScheduledAt)
				continue
			}
			require.Equal(t, store.JobSucceeded, run.Outcome, "no scheduled slot skipped or failed because of manual runs: %s", run.Error)
			scheduled = append(scheduled, *run.ScheduledAt)
		}
		require.Greater(t, manual, 5)
		require.GreaterOrEqual(t, len(scheduled), 2)
	})
}

// TestRecoveryOfDeadRuns: runs left running by a dead replica are failed at
// start (own name, or heartbeat older than the threshold); a live replica's
// run is left alone; and the next slot runs normally.
func TestRecoveryOfDeadRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		claim := func(job, replica string, started, heartbeat time.Time) store.JobRun {
			run, ok, err := st.ClaimJobRun(ctx, store.JobRun{Job: job, Slot: "2020-01-01T00:00:00Z", Replica: replica, StartedAt: started})
			require.NoError(t, err)
			require.True(t, ok)
			require.NoError(t, st.HeartbeatJobRun(ctx, run.ID, heartbeat))
			return run
		}
		stale := claim("stale", "gone-host/1", now.Add(-time.Hour), now.Add(-3*time.Minute))
		own := claim("own", "me", now.Add(-10*time.Second), now.Add(-5*time.Second))
		alive := claim("alive", "other-host/7", now.Add(-10*time.Minute), now.Add(-20*time.Second))

		var calls atomic.Int64
		reg := jobs.NewRegistry()
		for _, name := range []string{"stale", "own", "alive"} {
			reg.Add(jobs.Job{Name: name, Schedule: "* * * * * *", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
				calls.Add(1)
				return nil, nil
			}})
		}
		r := newRunner(t, st, reg, jobs.Options{Replica: "me", Heartbeat: 30 * time.Second, StaleAfter: 2 * time.Minute})
		require.NoError(t, r.Start(ctx))
		byID := func() map[int64]store.JobRun {
			out := map[int64]store.JobRun{}
			for _, run := range runsOf(t, st, "") {
				out[run.ID] = run
			}
			return out
		}
		got := byID()
		for _, id := range []int64{stale.ID, own.ID} {
			require.Equal(t, store.JobFailed, got[id].Outcome, got[id].Job)
			require.Equal(t, jobs.ReasonReplicaDied, got[id].Error)
			require.NotNil(t, got[id].FinishedAt)
		}
		require.Equal(t, store.JobRunning, got[alive.ID].Outcome, "a fresh heartbeat of another replica is respected")
		waitFor(t, 5*time.Second, "next slots", func() bool {
			n := 0
			for _, run := range runsOf(t, st, "stale") {
				if run.Outcome == store.JobSucceeded {
					n++
				}
			}
			return n >= 1
		})
		stop(t, r)
		require.Equal(t, store.JobRunning, byID()[alive.ID].Outcome)
	})
}

// TestStaleHeartbeatDuringRun: a replica that stops heart-beating (killed)
// has its run failed by another replica once the threshold passes, while a
// run that keeps beating survives the same threshold.
func TestStaleHeartbeatDuringRun(t *testing.T) {
	twoHandles(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		release := make(chan struct{})
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "long", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return nil, nil
		}})
		opts := func(name string) jobs.Options {
			return jobs.Options{Replica: name, Heartbeat: 100 * time.Millisecond, StaleAfter: 600 * time.Millisecond}
		}
		ra := newRunner(t, a, reg, opts("a"))
		rb := newRunner(t, b, reg, opts("b"))
		run, err := ra.Trigger(ctx, access.CLI(), "long")
		require.NoError(t, err)
		time.Sleep(1500 * time.Millisecond)
		failed, err := rb.Recover(ctx)
		require.NoError(t, err)
		require.Empty(t, failed, "a beating run is alive")
		close(release)
		waitFor(t, 5*time.Second, "run end", func() bool { return runsOf(t, a, "long")[0].Outcome == store.JobSucceeded })

		// a "killed" replica: a running row whose heartbeat stops
		dead, ok, err := a.ClaimJobRun(ctx, store.JobRun{Job: "long", Slot: "manual:dead", Replica: "killed", Manual: true, StartedAt: time.Now()})
		require.NoError(t, err)
		require.True(t, ok)
		time.Sleep(700 * time.Millisecond)
		failed, err = rb.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, failed, 1)
		require.Equal(t, dead.ID, failed[0].ID)
		require.Equal(t, store.JobFailed, failed[0].Outcome)
		stop(t, ra, rb)
		require.Equal(t, run.ID, runsOf(t, a, "long")[0].ID)
	})
}

// TestAdvisoryLockAcrossReplicas (PostgreSQL): a manual run on one replica
// while another replica runs the same job's body is recorded as skipped.
func TestAdvisoryLockAcrossReplicas(t *testing.T) {
	twoHandles(t, func(t *testing.T, a, b *store.Store) {
		if a.Dialect() != store.Postgres {
			// one SQLite file serves one host: the slot claim is the guard
			unlock, ok, err := a.TryJobLock(context.Background(), "x")
			require.NoError(t, err)
			require.True(t, ok)
			unlock()
			return
		}
		ctx := context.Background()
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "index", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			started <- struct{}{}
			<-release
			return nil, nil
		}})
		ra := newRunner(t, a, reg, jobs.Options{Replica: "a"})
		rb := newRunner(t, b, reg, jobs.Options{Replica: "b"})
		_, err := ra.Trigger(ctx, access.CLI(), "index")
		require.NoError(t, err)
		<-started
		got, err := rb.RunNow(ctx, access.CLI(), "index")
		require.ErrorIs(t, err, jobs.ErrRunning)
		require.Equal(t, store.JobSkipped, got.Outcome)
		require.Equal(t, "running on another replica", got.Error)
		close(release)
		stop(t, ra, rb)
		// the lock went with the run: another replica may run the job now
		reg2 := jobs.NewRegistry()
		reg2.Add(jobs.Job{Name: "index", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) { return nil, nil }})
		rb2 := newRunner(t, b, reg2, jobs.Options{Replica: "b2"})
		after, err := rb2.RunNow(ctx, access.CLI(), "index")
		require.NoError(t, err)
		require.Equal(t, store.JobSucceeded, after.Outcome)
	})
}

// TestStopCancelsRuns: shutdown cancels a run's context and the run is
// recorded failed, not left running.
func TestStopCancelsRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		started := make(chan struct{})
		reg := jobs.NewRegistry()
		reg.Add(jobs.Job{Name: "long", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			close(started)
			<-ctx.Done()
			return jobs.Counts{"seen": 3}, ctx.Err()
		}})
		r := newRunner(t, st, reg, jobs.Options{Replica: "solo"})
		_, err := r.Trigger(context.Background(), access.CLI(), "long")
		require.NoError(t, err)
		<-started
		stop(t, r)
		runs := runsOf(t, st, "long")
		require.Equal(t, store.JobFailed, runs[0].Outcome)
		require.Equal(t, "context canceled", runs[0].Error)
		_, err = r.RunNow(context.Background(), access.CLI(), "long")
		require.ErrorIs(t, err, domain.ErrUnavailable, "no new runs after Stop")
	})
}

func TestStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		fixed := time.Date(2026, 3, 2, 8, 5, 0, 0, jakarta) // Monday 08:05 WIB
		reg := jobs.NewRegistry()
		ok := true
		reg.Add(jobs.Job{Name: "sweep", Schedule: "*/10 * * * *", Description: "sweep clocks", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			if !ok {
				return nil, errors.New("down")
			}
			return jobs.Counts{"clocks": 7}, nil
		}})
		reg.Add(jobs.Job{Name: "weekly", Schedule: "0 2 * * 0", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) { return nil, nil }})
		reg.Add(jobs.Job{Name: "manual-only", Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) { return nil, nil }})
		r := newRunner(t, st, reg, jobs.Options{Replica: "solo", Now: func() time.Time { return fixed },
			Schedules: map[string]string{"weekly": "0 3 * * 0"}})

		_, err := r.RunNow(ctx, access.CLI(), "sweep")
		require.NoError(t, err)
		ok = false
		_, err = r.RunNow(ctx, access.CLI(), "sweep")
		require.NoError(t, err)

		_, err = r.Statuses(ctx, access.Principal{})
		require.ErrorIs(t, err, domain.ErrUnauthorized)
		_, err = r.Statuses(ctx, access.Principal{Name: "dinas", Role: access.RoleAgency, AgencyCode: "32"})
		require.ErrorIs(t, err, domain.ErrForbidden)

		got, err := r.Statuses(ctx, access.Principal{Name: "r", Role: access.RoleReader})
		require.NoError(t, err)
		require.Len(t, got, 3)
		sweep, weekly, manual := got[0], got[1], got[2]
		require.Equal(t, "sweep", sweep.Name)
		require.True(t, sweep.Enabled)
		require.Equal(t, time.Date(2026, 3, 2, 8, 10, 0, 0, jakarta).Unix(), sweep.NextRun.Unix())
		require.Equal(t, store.JobFailed, sweep.LastRun.Outcome)
		require.Equal(t, "down", sweep.LastRun.Error)
		require.Equal(t, store.JobSucceeded, sweep.LastSuccess.Outcome)
		require.Equal(t, map[string]int64{"clocks": 7}, sweep.LastSuccess.Counts)
		require.Less(t, sweep.LastSuccess.ID, sweep.LastRun.ID)

		require.Equal(t, "0 3 * * 0", weekly.Schedule, "the override wins")
		require.Equal(t, time.Date(2026, 3, 8, 3, 0, 0, 0, jakarta).Unix(), weekly.NextRun.Unix(), "Sunday 03:00 in Jakarta")
		require.Nil(t, weekly.LastRun)

		require.False(t, manual.Enabled)
		require.Equal(t, jobs.Off, manual.Schedule)
		require.Nil(t, manual.NextRun)
	})
}

func TestNewRunnerRejectsBadSchedules(t *testing.T) {
	st := storetest.SQLite(t)
	body := func(ctx context.Context, now time.Time) (jobs.Counts, error) { return nil, nil }
	tests := []struct {
		name      string
		schedule  string
		overrides map[string]string
		want      string
	}{
		{"every is not aligned", "@every 10m", nil, "@every is not wall-clock aligned"},
		{"bad spec", "*/10 * *", nil, "schedule \"*/10 * *\""},
		{"bad override", "*/10 * * * *", map[string]string{"j": "61 * * * *"}, "schedule \"61 * * * *\""},
		{"unknown job", "*/10 * * * *", map[string]string{"index": "0 3 * * *"}, "unknown job \"index\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := jobs.NewRegistry()
			reg.Add(jobs.Job{Name: "j", Schedule: tc.schedule, Run: body})
			_, err := jobs.NewRunner(st, reg, jobs.Options{Schedules: tc.overrides})
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, tc.want)
		})
	}
	reg := jobs.NewRegistry()
	reg.Add(jobs.Job{Name: "j", Schedule: "*/10 * * * *", Run: body})
	_, err := jobs.NewRunner(st, reg, jobs.Options{Schedules: map[string]string{"j": jobs.Off}})
	require.NoError(t, err, "off disables a schedule")
	require.Panics(t, func() { reg.Add(jobs.Job{Name: "j", Run: body}) }, "duplicate name")
	require.Panics(t, func() { reg.Add(jobs.Job{Name: "k"}) }, "no body")
}

func TestParseSchedules(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"", map[string]string{}, false},
		{"sla-sweep=*/10 * * * *;index=0 3 * * *", map[string]string{"sla-sweep": "*/10 * * * *", "index": "0 3 * * *"}, false},
		{" retention = off ; ", map[string]string{"retention": "off"}, false},
		{"sla-sweep", nil, true},
		{"=0 3 * * *", nil, true},
		{"a=1 * * * *;a=2 * * * *", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := jobs.ParseSchedules(tc.in)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestSlotAt(t *testing.T) {
	p := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, jakarta)
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		name, spec, now, want string
	}{
		{"on time", "*/10 * * * *", "2026-03-02 08:10:00.003", "2026-03-02 08:10:00.000"},
		{"late wake-up", "*/10 * * * *", "2026-03-02 08:10:07.250", "2026-03-02 08:10:00.000"},
		{"timer a hair early", "*/10 * * * *", "2026-03-02 08:09:59.990", "2026-03-02 08:10:00.000"},
		{"every second", "* * * * * *", "2026-03-02 08:10:03.120", "2026-03-02 08:10:03.000"},
		{"every second, early", "* * * * * *", "2026-03-02 08:10:03.998", "2026-03-02 08:10:04.000"},
		{"monthly in Jakarta", "0 2 1 * *", "2026-04-01 02:00:00.040", "2026-04-01 02:00:00.000"},
		{"far from any instant", "0 2 1 * *", "2026-04-09 13:00:00.700", "2026-04-09 13:00:00.000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := p.Parse(tc.spec)
			require.NoError(t, err)
			require.True(t, at(tc.want).Equal(jobs.SlotAt(s, at(tc.now))), "got %v", jobs.SlotAt(s, at(tc.now)))
		})
	}
}
