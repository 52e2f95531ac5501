package cli

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func TestJobCommands(t *testing.T) {
	env := []string{"TANGGAP_DATA_DIR=" + t.TempDir(), "TANGGAP_LOG_LEVEL=warn"}
	r := run(t, env, "migrate", "up")
	require.Equal(t, 0, r.code, r.stderr)

	r = run(t, env, "jobs")
	require.Equal(t, 0, r.code, r.stderr)
	for _, want := range []string{"sla-sweep", "*/10 * * * *", "calendar-coverage", "retention", "0 2 * * 0", "NEXT RUN (WIB)"} {
		require.Contains(t, r.stdout, want)
	}

	cases := []struct {
		name     string
		env      []string
		args     []string
		code     int
		stdout   []string
		stderror string
	}{
		{"sweep", nil, []string{"run-job", "sla-sweep"}, 0, []string{"sla-sweep  run 1  succeeded", "clocks", "rollup_rows"}, ""},
		{"retention with a short age", []string{"TANGGAP_RETENTION_AGE=1d"}, []string{"run-job", "retention"}, 0, []string{"succeeded", "anonymised     0"}, ""},
		{"unknown job", nil, []string{"run-job", "no-such-job"}, 1, nil, `job "no-such-job": not found`},
		{"missing name", nil, []string{"run-job"}, 2, nil, "missing argument NAME"},
		{"override of an unknown job", []string{"TANGGAP_JOB_SCHEDULES=no-such-job=0 3 * * *"}, []string{"jobs"}, 2, nil, `unknown job "no-such-job"`},
		{"bad override", []string{"TANGGAP_JOB_SCHEDULES=sla-sweep=every now and then"}, []string{"jobs"}, 2, nil, "sla-sweep"},
		{"every is refused", []string{"TANGGAP_JOB_SCHEDULES=sla-sweep=@every 5m"}, []string{"jobs"}, 2, nil, "not wall-clock aligned"},
		{"bad retention age", []string{"TANGGAP_RETENTION_AGE=soon"}, []string{"jobs"}, 2, nil, "RETENTION_AGE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, append(append([]string{}, env...), tc.env...), tc.args...)
			require.Equal(t, tc.code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			for _, s := range tc.stdout {
				require.Contains(t, r.stdout, s)
			}
			if tc.stderror != "" {
				require.Contains(t, r.stderr, tc.stderror)
			}
		})
	}

	r = run(t, env, "jobs", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, `"last_success"`)
	require.Contains(t, r.stdout, `"manual": true`)
	r = run(t, append(env, "TANGGAP_JOB_SCHEDULES=retention=off"), "jobs")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "off (manual only)")
}

// TestTwoServeReplicas is the CI form of bench/drills/two-replicas.sh: two
// serve processes' worth of app (own config, pool and scheduler) on one
// PostgreSQL, the sweep every second for ~4 s: each second's slot is run
// once, none is lost.
func TestTwoServeReplicas(t *testing.T) {
	url := storetest.PostgresURLForTest(t, false)
	base := []string{"TANGGAP_DATABASE_URL=" + url, "TANGGAP_LOG_LEVEL=warn", "TANGGAP_LISTEN_ADDR=127.0.0.1:0",
		"TANGGAP_JOB_SCHEDULES=sla-sweep=* * * * * *;calendar-coverage=off;retention=off"}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	codes := make([]int, 2)
	logs := make([]bytes.Buffer, 2)
	for i, replica := range []string{"web-1", "web-2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			codes[i] = Run(ctx, []string{"tanggap", "serve"}, append(base, "TANGGAP_REPLICA_ID="+replica), &out, &logs[i])
		}()
	}
	time.Sleep(4500 * time.Millisecond)
	cancel()
	wg.Wait()
	for i := range codes {
		require.Equal(t, 0, codes[i], logs[i].String())
	}

	st, err := store.Open(context.Background(), store.Options{DatabaseURL: url})
	require.NoError(t, err)
	defer st.Close()
	runs, err := st.JobRuns(context.Background(), "sla-sweep", 100)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(runs), 3)
	var slots []time.Time
	replicas := map[string]int{}
	for _, r := range runs {
		// a slot cut short by the shutdown is recorded failed, not lost
		if r.Outcome != store.JobSucceeded {
			require.Equal(t, store.JobFailed, r.Outcome)
			require.Contains(t, r.Error, "context canceled")
		}
		require.False(t, r.Manual)
		replicas[r.Replica]++
		slots = append(slots, *r.ScheduledAt)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i := 1; i < len(slots); i++ {
		require.Equal(t, time.Second, slots[i].Sub(slots[i-1]), "one run per slot, none lost: %v", slots)
	}
	for name := range replicas {
		require.True(t, strings.HasPrefix(name, "web-"), name)
	}
	t.Logf("%d slots; runs per replica %v", len(slots), replicas)
}
