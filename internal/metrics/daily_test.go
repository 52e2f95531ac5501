package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// dailyOracle recomputes the commitment cohorts straight from raw rows, by
// the definitions in daily.go, without any of its code.
type dailyOracle struct {
	cs       []rawClock
	es       []rawEvent
	agencies map[int64]rawAgency
	member   func(rawAgency) bool
	from, to time.Time
	now      time.Time
}

func (o *dailyOracle) zone(id int64) *time.Location {
	if a, ok := o.agencies[id]; ok {
		return a.loc
	}
	return wib
}

func (o *dailyOracle) cutoff(id int64) time.Time {
	return time.Date(o.to.Year(), o.to.Month(), o.to.Day()+1, 0, 0, 0, 0, o.zone(id))
}

func (o *dailyOracle) localDay(id int64, t time.Time) (time.Time, bool) {
	l := t.In(o.zone(id))
	d := civil(l.Year(), l.Month(), l.Day())
	return d, !d.Before(o.from) && !d.After(o.to)
}

// view is a complaint as known at the end of To.
type view struct {
	clocks []rawClock
	events []rawEvent
}

func (o *dailyOracle) views() []view {
	byC := map[int64]*view{}
	for _, c := range o.cs {
		cut := o.cutoff(c.agency)
		if !c.started.Before(cut) {
			continue
		}
		if c.stopped != nil && !c.stopped.Before(cut) {
			c.stopped = nil
		}
		if c.stopped == nil {
			c.verdict = "open"
			if c.due.Before(cut) && c.due.Before(o.now) {
				c.verdict = "overdue"
			}
		}
		if byC[c.complaint] == nil {
			byC[c.complaint] = &view{}
		}
		byC[c.complaint].clocks = append(byC[c.complaint].clocks, c)
	}
	for _, e := range o.es {
		if v := byC[e.complaint]; v != nil && e.at.Before(o.cutoff(e.agency)) {
			v.events = append(v.events, e)
		}
	}
	out := make([]view, 0, len(byC))
	for _, v := range byC {
		out = append(out, *v)
	}
	return out
}

func (o *dailyOracle) answered(v view, kind string, agency int64, at *time.Time) bool {
	for _, e := range v.events {
		if e.kind == kind && (e.agency == agency || e.agency == 0 || kind == "completed") && (at == nil || e.at.Equal(*at)) {
			return true
		}
	}
	return false
}

func (o *dailyOracle) daily(metric domain.Metric, within int) map[time.Time][2]int {
	out := map[time.Time][2]int{}
	add := func(d time.Time, ok bool) {
		x := out[d]
		x[0]++
		if ok {
			x[1]++
		}
		out[d] = x
	}
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range o.views() {
		switch metric {
		case domain.MetricLAPORResponseRate:
			var h *rawClock
			for i := range v.clocks {
				c := &v.clocks[i]
				if c.kind != "first_response" {
					continue
				}
				stop := func(x *rawClock) time.Time {
					if x.stopped == nil {
						return far
					}
					return *x.stopped
				}
				if h == nil || c.started.After(h.started) || (c.started.Equal(h.started) && (stop(c).After(stop(h)) || (stop(c).Equal(stop(h)) && c.id > h.id))) {
					h = c
				}
			}
			if h == nil || !o.member(o.agencies[h.agency]) {
				continue
			}
			rejected := false
			for _, e := range v.events {
				rejected = rejected || e.kind == "rejected"
			}
			if rejected {
				continue
			}
			first := h.started
			for _, c := range v.clocks {
				if c.kind == "first_response" && c.agency == h.agency && c.started.Before(first) {
					first = c.started
				}
			}
			if d, ok := o.localDay(h.agency, first); ok {
				add(d, o.answered(v, "responded", h.agency, nil))
			}
		default:
			kind, answer := "first_response", "responded"
			if metric == domain.MetricCompletionOnTime {
				kind, answer = "completion", "completed"
			}
			for _, c := range v.clocks {
				if c.kind != kind || !o.member(o.agencies[c.agency]) {
					continue
				}
				if within > 0 {
					if c.stopped != nil && o.answered(v, answer, c.agency, c.stopped) {
						if d, ok := o.localDay(c.agency, *c.stopped); ok {
							add(d, c.used <= within)
						}
					}
					continue
				}
				if d, ok := o.localDay(c.agency, c.due); ok {
					switch c.verdict {
					case "met":
						add(d, true)
					case "breached", "overdue":
						add(d, false)
					}
				}
			}
		}
	}
	return out
}

func (o *dailyOracle) median() (float64, int) {
	var xs []int
	for _, v := range o.views() {
		for _, c := range v.clocks {
			if c.kind == "first_response" && o.member(o.agencies[c.agency]) && c.stopped != nil && o.answered(v, "responded", c.agency, c.stopped) {
				if _, ok := o.localDay(c.agency, *c.stopped); ok {
					xs = append(xs, c.used)
				}
			}
		}
	}
	if len(xs) == 0 {
		return 0, 0
	}
	sort.Ints(xs)
	return median(xs), len(xs)
}

func (o *dailyOracle) overdue() (int, int) {
	open, overdue := 0, 0
	for _, v := range o.views() {
		for _, c := range v.clocks {
			if o.member(o.agencies[c.agency]) && c.stopped == nil {
				open++
				if c.verdict == "overdue" {
					overdue++
				}
			}
		}
	}
	return overdue, open
}

// TestDailyCountsEqualBruteForce: for random histories, every daily cohort
// and level the commitments read equals a count over raw rows, for several
// subtrees, ranges (one ending before today, so later events must be
// ignored) and limits; and the response-rate days of a month sum to the
// stored roll-up row.
func TestDailyCountsEqualBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(11, 3))
		f := newFixture(t, st, time.Date(2025, 2, 1, 9, 0, 0, 0, wib))
		cs := generate(r, 220, time.Date(2025, 1, 6, 8, 0, 0, 0, wib), 150, "D")
		for f.now.Before(time.Date(2025, 7, 20, 0, 0, 0, 0, wib)) {
			f.now = f.now.AddDate(0, 0, 12)
			f.ingest(t, cs)
		}
		rawC, rawE, rawA := readRaw(t, st)
		byID := map[int64]rawAgency{}
		byCode := map[string]rawAgency{}
		for _, a := range rawA {
			byID[a.id], byCode[a.code] = a, a
		}
		today := civil(f.now.In(wib).Year(), f.now.In(wib).Month(), f.now.In(wib).Day())
		ranges := [][2]time.Time{
			{civil(2025, 1, 1), today},
			{civil(2025, 3, 1), civil(2025, 3, 31)},
			{civil(2025, 2, 10), civil(2025, 5, 20)},
		}
		metricsToCheck := []struct {
			m      domain.Metric
			within int
		}{
			{domain.MetricLAPORResponseRate, 0}, {domain.MetricFirstResponseOnTime, 0}, {domain.MetricCompletionOnTime, 0},
			{domain.MetricFirstResponseOnTime, 3}, {domain.MetricCompletionOnTime, 10},
		}
		cohorts := 0
		for _, code := range []string{"ID", "32", "32.73", "73.71", "32.04.DINKES"} {
			root := byCode[code]
			for _, rg := range ranges {
				o := &dailyOracle{cs: rawC, es: rawE, agencies: byID, from: rg[0], to: rg[1], now: f.now,
					member: func(a rawAgency) bool { return strings.HasPrefix(a.path, root.path) }}
				for _, mc := range metricsToCheck {
					name := fmt.Sprintf("%s %s..%s %s within=%d", code, rg[0].Format(time.DateOnly), rg[1].Format(time.DateOnly), mc.m, mc.within)
					got, err := f.metrics.DailyCounts(ctx, code, mc.m, mc.within, rg[0], rg[1])
					require.NoError(t, err, name)
					want := o.daily(mc.m, mc.within)
					gotMap := map[time.Time][2]int{}
					for i, d := range got {
						require.Positive(t, d.N, name)
						if i > 0 {
							require.True(t, got[i-1].Date.Before(d.Date), "%s: days in order", name)
						}
						gotMap[d.Date] = [2]int{d.N, d.Successes}
						cohorts += d.N
					}
					require.Equal(t, want, gotMap, name)
				}
				name := fmt.Sprintf("%s %s..%s", code, rg[0].Format(time.DateOnly), rg[1].Format(time.DateOnly))
				v, n, err := f.metrics.Level(ctx, code, domain.MetricMedianFirstResponseDays, rg[0], rg[1])
				require.NoError(t, err)
				wm, wn := o.median()
				require.Equal(t, wn, n, name+" median n")
				if wn == 0 {
					require.Nil(t, v, name)
				} else {
					require.Equal(t, wm, *v, name+" median")
				}
				if rg[0].Equal(civil(2025, 1, 1)) { // the range covers every clock: nothing runs through it unseen
					for _, to := range []time.Time{today, civil(2025, 4, 30)} {
						o.to = to
						v, n, err := f.metrics.Level(ctx, code, domain.MetricOverdueOpen, rg[0], to)
						require.NoError(t, err)
						wo, wopen := o.overdue()
						if to.Equal(today) { // today: the state the last sweep stored
							wo, wopen = 0, 0
							for _, c := range rawC {
								if c.stopped == nil && strings.HasPrefix(byID[c.agency].path, root.path) {
									wopen++
									if c.verdict == "overdue" {
										wo++
									}
								}
							}
						}
						require.Equal(t, wopen, n, "%s overdue_open n to %s", code, to)
						require.Equal(t, float64(wo), *v, "%s overdue_open to %s", code, to)
					}
				}
			}
		}
		require.Greater(t, cohorts, 500, "the random data must exercise the cohorts")

		// The response-rate days of a closed month sum to its stored subtree row.
		days, err := f.metrics.DailyCounts(ctx, "32", domain.MetricLAPORResponseRate, 0, civil(2025, 3, 1), today)
		require.NoError(t, err)
		n, succ := 0, 0
		for _, d := range days {
			if d.Date.Month() == time.March {
				n, succ = n+d.N, succ+d.Successes
			}
		}
		fig, err := f.metrics.AgencyMetrics(ctx, "32", "2025-03", true, -1)
		require.NoError(t, err)
		require.EqualValues(t, fig.Assigned, n)
		require.EqualValues(t, fig.Responded, succ)

		_, err = f.metrics.DailyCounts(ctx, "32", domain.MetricMedianFirstResponseDays, 0, civil(2025, 3, 1), today)
		require.ErrorIs(t, err, domain.ErrInvalid)
		_, _, err = f.metrics.Level(ctx, "32", domain.MetricLAPORResponseRate, civil(2025, 3, 1), today)
		require.ErrorIs(t, err, domain.ErrInvalid)
		_, err = f.metrics.DailyCounts(ctx, "99", domain.MetricLAPORResponseRate, 0, civil(2025, 3, 1), today)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

// TestCheckFindsCorruptedRows: after a normal refresh the check finds no
// difference (and leaves the rows as they were); a corrupted stored row is
// found, and so is a missing one.
func TestCheckFindsCorruptedRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(5, 9))
		f := newFixture(t, st, time.Date(2025, 2, 1, 9, 0, 0, 0, wib))
		cs := generate(r, 80, time.Date(2025, 1, 6, 8, 0, 0, 0, wib), 60, "C")
		for range 4 {
			f.now = f.now.AddDate(0, 0, 15)
			f.ingest(t, cs)
		}
		before, beforeCur := dump(t, st)
		require.NotEmpty(t, before)
		n, err := f.metrics.Check(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "incremental rows equal a rebuild")
		after, afterCur := dump(t, st)
		require.Equal(t, before, after, "the check's rebuild is rolled back")
		require.Equal(t, beforeCur, afterCur)

		// Corrupt one stored row: one more response than there was.
		victim := before[len(before)/2]
		rows, err := st.Rollups(ctx, store.RollupFilter{Scope: victim.Scope, AgencyIDs: []int64{victim.AgencyID}, Keys: []string{victim.PeriodKey}})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		bad := rows[0]
		bad.Counts.Responded++
		require.NoError(t, st.DeleteRollups(ctx, store.RollupFilter{Scope: victim.Scope, AgencyIDs: []int64{victim.AgencyID}, Keys: []string{victim.PeriodKey}}))
		require.NoError(t, st.InsertRollups(ctx, []store.Rollup{bad}))
		n, err = f.metrics.Check(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n, "the corrupted row")

		// And a row gone missing is a second difference.
		other := before[0]
		require.NoError(t, st.DeleteRollups(ctx, store.RollupFilter{Scope: other.Scope, AgencyIDs: []int64{other.AgencyID}, Keys: []string{other.PeriodKey}}))
		res, err := f.metrics.CheckRollups(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, res.Differences)
		require.Equal(t, len(before)-1, res.Rows)

		// A rebuild repairs both.
		_, err = f.metrics.Rebuild(ctx)
		require.NoError(t, err)
		n, err = f.metrics.Check(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	})
}
