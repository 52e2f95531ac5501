package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// periodsToCheck are every month, quarter and year the random data can
// touch, and the rolling window of now.
func periodsToCheck(now time.Time) []stats.Period {
	var ps []stats.Period
	for y := 2024; y <= 2026; y++ {
		ps = append(ps, stats.YearPeriod(y))
		for q := 1; q <= 4; q++ {
			ps = append(ps, stats.QuarterPeriod(y, q))
		}
		for m := time.January; m <= time.December; m++ {
			ps = append(ps, stats.MonthPeriod(y, m))
		}
	}
	return append(ps, stats.Rolling90(now.In(wib)))
}

type rowKey struct {
	agency     int64
	scope, key string
}

// checkAgainstBruteForce compares every stored row (and every row that
// should exist) with a brute-force recomputation from raw rows.
func checkAgainstBruteForce(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	cs, es, as := readRaw(t, f.st)
	stored, err := f.st.Rollups(ctx, store.RollupFilter{})
	require.NoError(t, err)
	byKey := map[rowKey]store.Rollup{}
	for _, r := range stored {
		byKey[rowKey{r.AgencyID, r.Scope, r.PeriodKey}] = r
	}
	seen := 0
	for _, a := range as {
		for _, scope := range []string{store.RollupOwn, store.RollupSubtree} {
			member := func(x rawAgency) bool { return x.id == a.id }
			if scope == store.RollupSubtree {
				member = func(x rawAgency) bool { return strings.HasPrefix(x.path, a.path) }
			}
			for _, p := range periodsToCheck(f.now) {
				want := bruteForce(cs, es, as, member, p.Start, p.End)
				got, ok := byKey[rowKey{a.id, scope, p.Key}]
				name := fmt.Sprintf("%s %s %s", a.code, scope, p.Key)
				if want.empty() {
					require.False(t, ok, "%s: no data, so no row", name)
					continue
				}
				seen++
				require.True(t, ok, "%s: row missing", name)
				require.Equal(t, want.counts, got.Counts, name)
				require.Equal(t, len(want.fr), got.FirstResponseDays.N(), name)
				require.Equal(t, len(want.cp), got.CompletionDays.N(), name)
				if len(want.fr) > 0 {
					m, _ := got.FirstResponseDays.Median()
					q, _ := got.FirstResponseDays.P90()
					require.Equal(t, median(want.fr), m, name+" median fr")
					require.Equal(t, p90(want.fr), q, name+" p90 fr")
				}
				if len(want.cp) > 0 {
					m, _ := got.CompletionDays.Median()
					q, _ := got.CompletionDays.P90()
					require.Equal(t, median(want.cp), m, name+" median cp")
					require.Equal(t, p90(want.cp), q, name+" p90 cp")
				}
				// rates shown are the counts' rates
				fig, err := f.metrics.AgencyMetrics(ctx, a.code, p.Key, scope == store.RollupSubtree, 3)
				require.NoError(t, err)
				wantRate := stats.NewRate(int(want.counts.Responded), int(want.counts.Assigned), 10)
				require.Equal(t, wantRate, fig.ResponseRate, name)
				require.Equal(t, stats.NewRate(int(want.counts.FROnTime), int(want.counts.FRDue), 10), fig.FirstResponseOnTime, name)
				within := 0
				for _, d := range want.fr {
					if d <= 3 {
						within++
					}
				}
				require.Equal(t, stats.NewRate(within, len(want.fr), 10), fig.Within.FirstResponse, name)
			}
		}
	}
	require.Len(t, stored, seen, "no stored row beyond the expected ones")
	require.Greater(t, seen, 20, "the random data must exercise the roll-ups")
}

// dump is every stored roll-up and current count without refresh times.
func dump(t *testing.T, st *store.Store) ([]store.Rollup, []store.RollupCurrent) {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Rollups(ctx, store.RollupFilter{})
	require.NoError(t, err)
	for i := range rows {
		rows[i].UpdatedAt = time.Time{}
	}
	var cur []store.RollupCurrent
	for _, sc := range []string{store.RollupOwn, store.RollupSubtree} {
		c, err := st.RollupCurrents(ctx, sc, nil, nil)
		require.NoError(t, err)
		for i := range c {
			c[i].UpdatedAt = time.Time{}
		}
		cur = append(cur, c...)
	}
	return rows, cur
}

// checkCurrent compares the current counts with running clocks read raw.
func checkCurrent(t *testing.T, f *fixture) {
	t.Helper()
	cs, _, as := readRaw(t, f.st)
	_, cur := dump(t, f.st)
	got := map[rowKey]store.RollupCurrent{}
	for _, c := range cur {
		got[rowKey{c.AgencyID, c.Scope, ""}] = c
	}
	for _, a := range as {
		for _, scope := range []string{store.RollupOwn, store.RollupSubtree} {
			open, overdue, risk := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
			for _, c := range cs {
				var agency rawAgency
				for _, x := range as {
					if x.id == c.agency {
						agency = x
					}
				}
				in := agency.id == a.id || (scope == store.RollupSubtree && strings.HasPrefix(agency.path, a.path))
				if !in || c.stopped != nil {
					continue
				}
				if c.kind == "completion" {
					open[c.complaint] = true
				}
				switch c.verdict {
				case "overdue":
					overdue[c.complaint] = true
				case "at_risk":
					risk[c.complaint] = true
				}
			}
			for id := range overdue {
				delete(risk, id)
			}
			want := store.RollupCurrent{AgencyID: a.id, Scope: scope, Open: int64(len(open)), Overdue: int64(len(overdue)), AtRisk: int64(len(risk))}
			g, ok := got[rowKey{a.id, scope, ""}]
			if want.Open+want.Overdue+want.AtRisk == 0 {
				require.False(t, ok, "%s %s: no running clocks, no row", a.code, scope)
				continue
			}
			require.Equal(t, want, g, "%s %s", a.code, scope)
		}
	}
}

// TestRollupsEqualBruteForceAndRebuild: random histories arrive in steps
// (ingest, recompute, sweep, refresh as the app runs them); after every few
// steps every stored row equals a brute-force recomputation from raw rows,
// and at the end the incremental rows equal a full rebuild.
func TestRollupsEqualBruteForceAndRebuild(t *testing.T) {
	for _, seed := range []uint64{1} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				r := rand.New(rand.NewPCG(seed, 7))
				f := newFixture(t, st, time.Date(2025, 3, 1, 9, 0, 0, 0, wib))
				cs := generate(r, 120, time.Date(2025, 1, 6, 8, 0, 0, 0, wib), 170, "T")
				for step := 0; step < 8; step++ {
					d := f.now.In(wib).AddDate(0, 0, 5+r.IntN(20))
					f.now = time.Date(d.Year(), d.Month(), d.Day(), 7+r.IntN(6), 0, 0, 0, wib)
					f.ingest(t, cs)
					// later the same day: the rolling window stays, so only
					// the dirty pairs are refreshed
					f.now = f.now.Add(time.Duration(1+r.IntN(8)) * time.Hour)
					f.ingest(t, cs)
					if step%3 == 2 {
						checkAgainstBruteForce(t, f)
						checkCurrent(t, f)
					}
				}
				checkAgainstBruteForce(t, f)
				checkCurrent(t, f)
				incRows, incCur := dump(t, st)
				_, err := f.metrics.Rebuild(ctx)
				require.NoError(t, err)
				fullRows, fullCur := dump(t, st)
				require.Equal(t, fullRows, incRows, "incremental refresh equals the full rebuild")
				require.Equal(t, fullCur, incCur)
				n, err := st.CountDirtyRollupMonths(ctx)
				require.NoError(t, err)
				require.Zero(t, n)
			})
		})
	}
}

// TestSmallGovernmentShowsInsufficientData: 7 complaints give rates with a
// null value and the reason, never 0 % or 100 %.
func TestSmallGovernmentShowsInsufficientData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, time.Date(2025, 6, 2, 9, 0, 0, 0, wib))
		var cs []*genComplaint
		for i := range 7 {
			sub := time.Date(2025, 5, 5+i, 9, 0, 0, 0, wib)
			id := fmt.Sprintf("S%02d", i)
			ev := func(n int, kind domain.EventKind, at time.Time, by, to string) domain.Event {
				return domain.Event{Source: "lapor", TrackingID: id, EventID: fmt.Sprintf("%s-%d", id, n), Kind: kind, At: at, AgencyCode: by, ToAgencyCode: to}
			}
			cs = append(cs, &genComplaint{sent: map[int]bool{}, c: domain.Complaint{Source: "lapor", TrackingID: id,
				ReportType: domain.ReportPengaduan, SubmittedAt: sub, AgencyCode: "73.71", Title: "x"},
				events: []domain.Event{ev(0, domain.EventSubmitted, sub, "73.71", ""), ev(1, domain.EventAssigned, sub.Add(time.Hour), "", "73.71"),
					ev(2, domain.EventResponded, sub.Add(26*time.Hour), "73.71", "")}})
		}
		f.ingest(t, cs)
		fig, err := f.metrics.AgencyMetrics(ctx, "73.71", "2025-05", true, -1)
		require.NoError(t, err)
		require.EqualValues(t, 7, fig.Received)
		require.EqualValues(t, 7, fig.Responded)
		for name, r := range map[string]stats.Rate{"response_rate": fig.ResponseRate, "first_response_on_time": fig.FirstResponseOnTime} {
			require.Nil(t, r.Value, name)
			require.Equal(t, stats.ReasonInsufficientData, r.Reason, name)
			require.Equal(t, 7, r.N, name)
		}
		require.Nil(t, fig.FirstResponseDays.Median)
		// the leaderboard under its province says the same
		b, err := f.metrics.Leaderboard(ctx, metrics.BoardQuery{Parent: "73", Period: "2025-05"})
		require.NoError(t, err)
		require.Len(t, b.Entries, 1)
		require.Nil(t, b.Entries[0].ResponseRate.Value)
	})
}
