package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func TestJobRunClaimsAndRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 1, 0, 0, 123456789, time.FixedZone("WIB", 7*3600))
		slot := t0.Truncate(time.Minute)
		first, ok, err := st.ClaimJobRun(ctx, store.JobRun{Job: "sla-sweep", Slot: "2026-03-02T01:00:00Z", ScheduledAt: &slot, Replica: "a", StartedAt: t0})
		require.NoError(t, err)
		require.True(t, ok)
		require.NotZero(t, first.ID)
		require.Equal(t, store.JobRunning, first.Outcome)
		require.Equal(t, t0.UTC().Truncate(time.Microsecond), first.StartedAt)

		tests := []struct {
			name      string
			run       store.JobRun
			wantClaim bool
		}{
			{"same slot, other replica", store.JobRun{Job: "sla-sweep", Slot: "2026-03-02T01:00:00Z", Replica: "b"}, false},
			{"same slot, same replica", store.JobRun{Job: "sla-sweep", Slot: "2026-03-02T01:00:00Z", Replica: "a"}, false},
			{"next slot", store.JobRun{Job: "sla-sweep", Slot: "2026-03-02T01:10:00Z", Replica: "b"}, true},
			{"other job, same slot", store.JobRun{Job: "retention", Slot: "2026-03-02T01:00:00Z", Replica: "b"}, true},
			{"manual slot", store.JobRun{Job: "sla-sweep", Slot: "manual:x", Replica: "b", Manual: true, Actor: "admin"}, true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.run.StartedAt = t0
				_, ok, err := st.ClaimJobRun(ctx, tc.run)
				require.NoError(t, err)
				require.Equal(t, tc.wantClaim, ok)
			})
		}

		require.NoError(t, st.FinishJobRun(ctx, first.ID, store.JobSucceeded, map[string]int64{"clocks": 12, "failed": 0}, "", t0.Add(3*time.Second)))
		runs, err := st.JobRuns(ctx, "sla-sweep", 10)
		require.NoError(t, err)
		require.Len(t, runs, 3)
		got := runs[len(runs)-1]
		require.Equal(t, first.ID, got.ID, "newest first")
		require.Equal(t, store.JobSucceeded, got.Outcome)
		require.Equal(t, map[string]int64{"clocks": 12, "failed": 0}, got.Counts)
		require.Equal(t, t0.Add(3*time.Second).UTC().Truncate(time.Microsecond), *got.FinishedAt)
		require.Equal(t, slot.UTC(), *got.ScheduledAt)
		require.Equal(t, "admin", runs[0].Actor)
		require.True(t, runs[0].Manual)

		last, success, err := st.LatestJobRuns(ctx)
		require.NoError(t, err)
		require.Equal(t, runs[0].ID, last["sla-sweep"].ID, "the manual run is the newest")
		require.Equal(t, first.ID, success["sla-sweep"].ID)
		require.Contains(t, last, "retention")
		require.NotContains(t, success, "retention")

		reps, err := st.RunningJobReplicas(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"b"}, reps)

		// heartbeats: b's runs beat at different times
		require.NoError(t, st.HeartbeatJobRun(ctx, runs[1].ID, t0.Add(10*time.Minute)))
		failed, err := st.FailStaleJobRuns(ctx, t0.Add(5*time.Minute), nil, "replica died", t0.Add(11*time.Minute))
		require.NoError(t, err)
		require.Len(t, failed, 2, "the runs that never beat after t0: manual and retention")
		for _, f := range failed {
			require.Equal(t, store.JobFailed, f.Outcome)
			require.Equal(t, "replica died", f.Error)
			require.NotEqual(t, runs[1].ID, f.ID)
		}
		failed, err = st.FailStaleJobRuns(ctx, t0, []string{"b"}, "replica died", t0.Add(11*time.Minute))
		require.NoError(t, err)
		require.Len(t, failed, 1, "a named dead replica loses its fresh run too")
		require.Equal(t, runs[1].ID, failed[0].ID)
		failed, err = st.FailStaleJobRuns(ctx, t0.Add(time.Hour), []string{"b"}, "replica died", t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, failed, "finished runs are left alone")
	})
}

// TestJobLockAcrossPools: the advisory lock excludes a second pool (another
// replica) until released; SQLite always grants it.
func TestJobLockAcrossPools(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURLForTest(t, false)
	a, err := store.Open(ctx, store.Options{DatabaseURL: url, MaxOpenConns: 2})
	require.NoError(t, err)
	defer a.Close()
	b, err := store.Open(ctx, store.Options{DatabaseURL: url, MaxOpenConns: 2})
	require.NoError(t, err)
	defer b.Close()

	unlock, ok, err := a.TryJobLock(ctx, "index")
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.TryJobLock(ctx, "index")
	require.NoError(t, err)
	require.False(t, ok, "held by the other replica")
	other, ok, err := b.TryJobLock(ctx, "retention")
	require.NoError(t, err)
	require.True(t, ok, "locks are per job")
	other()
	unlock()
	again, ok, err := b.TryJobLock(ctx, "index")
	require.NoError(t, err)
	require.True(t, ok, "released")
	again()

	sq := storetest.SQLite(t)
	u, ok, err := sq.TryJobLock(ctx, "index")
	require.NoError(t, err)
	require.True(t, ok)
	u()
}
