package metrics_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/store"
)

var wib = mustZone("Asia/Jakarta")

func mustZone(n string) *time.Location {
	l, err := time.LoadLocation(n)
	if err != nil {
		panic(err)
	}
	return l
}

// fixture wires the clock engine to the roll-ups as the app does, over a
// tree in two zones, with a settable clock.
type fixture struct {
	st      *store.Store
	clocks  *clocks.Service
	metrics *metrics.Service
	now     time.Time
	agency  map[string]int64 // code → id
	ids     map[string]int64 // tracking id → complaint id
}

var treeAgencies = []domain.Agency{
	{Code: "ID", Kind: domain.KindNational, Name: "Indonesia", TimeZone: "Asia/Jakarta"},
	{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat", TimeZone: "Asia/Jakarta"},
	{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung", TimeZone: "Asia/Jakarta"},
	{Code: "32.73.DINKES", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Dinkes Kota Bandung", TimeZone: "Asia/Jakarta"},
	{Code: "32.73.DISDIK", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Disdik Kota Bandung", TimeZone: "Asia/Jakarta"},
	{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung", TimeZone: "Asia/Jakarta"},
	{Code: "32.04.DINKES", ParentCode: "32.04", Kind: domain.KindOPD, Name: "Dinkes Kab. Bandung", TimeZone: "Asia/Jakarta"},
	{Code: "73", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Sulawesi Selatan", TimeZone: "Asia/Makassar"},
	{Code: "73.71", ParentCode: "73", Kind: domain.KindKota, Name: "Kota Makassar", TimeZone: "Asia/Makassar"},
	{Code: "73.71.DPUPR", ParentCode: "73.71", Kind: domain.KindOPD, Name: "DPUPR Kota Makassar", TimeZone: "Asia/Makassar"},
}

// holders are the agencies complaints get assigned or forwarded to.
var holders = []string{"32.73", "32.73.DINKES", "32.73.DISDIK", "32.04", "32.04.DINKES", "73.71", "73.71.DPUPR", "32"}

func newFixture(t *testing.T, st *store.Store, now time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, now: now, agency: map[string]int64{}, ids: map[string]int64{}}
	nowFn := func() time.Time { return f.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, nowFn)
	acc := access.NewService(st, rec, nowFn)
	cals := clocks.NewCalendars(st, log, nowFn)
	pols := clocks.NewPolicies(st, acc, rec, nowFn)
	f.clocks = clocks.NewService(st, cals, pols, rec, log, nowFn)
	f.metrics = metrics.NewService(st, log, nowFn, 10)
	f.clocks.OnClocksReplaced = f.metrics.MarkComplaints
	for _, a := range treeAgencies {
		a.ShortName, a.Active = a.Code, true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	list, err := st.RollupAgencies(ctx)
	require.NoError(t, err)
	for _, a := range list {
		f.agency[a.Code] = a.ID
	}
	return f
}

// genComplaint is a complaint with its whole future history; ingest stores
// what has happened by now.
type genComplaint struct {
	c      domain.Complaint
	events []domain.Event
	stored bool
	sent   map[int]bool
}

func govOf(code string) string {
	switch code {
	case "32.73.DINKES", "32.73.DISDIK":
		return "32.73"
	case "32.04.DINKES":
		return "32.04"
	case "73.71.DPUPR":
		return "73.71"
	}
	return code
}

// generate draws n complaints submitted between from and from+spanDays.
func generate(r *rand.Rand, n int, from time.Time, spanDays int, prefix string) []*genComplaint {
	var out []*genComplaint
	hours := func(max int) time.Duration { return time.Duration(1+r.IntN(max)) * time.Hour }
	for i := range n {
		id := fmt.Sprintf("%s%04d", prefix, i)
		sub := from.Add(time.Duration(r.IntN(spanDays*24)) * time.Hour)
		holder := holders[r.IntN(len(holders))]
		rt := domain.ReportTypes[r.IntN(len(domain.ReportTypes))]
		g := &genComplaint{sent: map[int]bool{}, c: domain.Complaint{Source: domain.DefaultSource, TrackingID: id, ReportType: rt,
			Category: []string{"jalan", "kesehatan", "pendidikan"}[r.IntN(3)], SubmittedAt: sub, AgencyCode: govOf(holder),
			Title: "Laporan " + id, Summary: "isi", Confidential: r.IntN(5) == 0}}
		t := sub
		add := func(kind domain.EventKind, by, to string) {
			g.events = append(g.events, domain.Event{Source: g.c.Source, TrackingID: id, EventID: fmt.Sprintf("%s-%d", id, len(g.events)),
				Kind: kind, At: t, AgencyCode: by, ToAgencyCode: to})
		}
		add(domain.EventSubmitted, govOf(holder), "")
		t = t.Add(hours(72))
		if r.IntN(8) == 0 {
			add(domain.EventRejected, "", "")
			out = append(out, g)
			continue
		}
		add(domain.EventAssigned, "", holder)
		if r.IntN(4) == 0 {
			t = t.Add(hours(200))
			next := holders[r.IntN(len(holders))]
			add(domain.EventForwarded, holder, next)
			holder = next
		}
		if r.IntN(8) == 0 {
			t = t.Add(hours(48))
			add(domain.EventClarificationRequested, holder, "")
			t = t.Add(hours(200))
			add(domain.EventClarificationReceived, "", "")
		}
		if r.IntN(10) < 7 {
			t = t.Add(hours(300))
			by := holder
			if r.IntN(5) == 0 {
				by = ""
			}
			add(domain.EventResponded, by, "")
		}
		switch x := r.IntN(10); {
		case x < 5:
			t = t.Add(hours(500))
			add(domain.EventCompleted, holder, "")
			if r.IntN(6) == 0 {
				t = t.Add(hours(100))
				add(domain.EventReopened, "", "")
				t = t.Add(hours(100))
				add(domain.EventResponded, holder, "")
			}
		case x < 6:
			t = t.Add(hours(300))
			add(domain.EventRejected, holder, "")
		}
		out = append(out, g)
	}
	return out
}

// ingest stores every complaint submitted by now and every event that has
// happened, marks them dirty, recomputes clocks, sweeps and refreshes.
func (f *fixture) ingest(t *testing.T, cs []*genComplaint) {
	t.Helper()
	ctx := context.Background()
	var dirty []int64
	for _, g := range cs {
		if g.c.SubmittedAt.After(f.now) {
			continue
		}
		if !g.stored {
			ids, err := f.st.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: g.c, AgencyID: f.agency[g.c.AgencyCode],
				GovernmentCode: g.c.AgencyCode}}, f.now)
			require.NoError(t, err)
			f.ids[g.c.TrackingID] = ids[store.ComplaintKey{Source: g.c.Source, TrackingID: g.c.TrackingID}]
			g.stored = true
		}
		id := f.ids[g.c.TrackingID]
		var ws []store.EventWrite
		for i, e := range g.events {
			if g.sent[i] || e.At.After(f.now) {
				continue
			}
			g.sent[i] = true
			ws = append(ws, store.EventWrite{ComplaintID: id, Event: e, AgencyID: f.agency[e.AgencyCode], ToAgencyID: f.agency[e.ToAgencyCode]})
		}
		if len(ws) > 0 {
			_, err := f.st.InsertEvents(ctx, ws, f.now)
			require.NoError(t, err)
			dirty = append(dirty, id)
		}
	}
	require.NoError(t, f.st.MarkComplaintsDirty(ctx, dirty, f.now))
	rep, err := f.clocks.RecomputeDirty(ctx)
	require.NoError(t, err)
	require.Zero(t, rep.Failed, "clock failures: %v", rep.Failures)
	_, err = f.clocks.Sweep(ctx, f.now)
	require.NoError(t, err)
	_, err = f.metrics.Refresh(ctx)
	require.NoError(t, err)
}

// rawClock and rawEvent are rows read straight from the tables.
type rawClock struct {
	id, complaint, agency int64
	kind                  string
	started, due          time.Time
	stopped               *time.Time
	used                  int
	verdict               string
}

type rawEvent struct {
	complaint int64
	kind      string
	at        time.Time
	agency    int64
}

type rawAgency struct {
	id   int64
	code string
	path string
	loc  *time.Location
}

func toTime(t *testing.T, v any) *time.Time {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		u := x.UTC()
		return &u
	case string:
		for _, l := range []string{"2006-01-02T15:04:05.000000Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00"} {
			if p, err := time.Parse(l, x); err == nil {
				u := p.UTC()
				return &u
			}
		}
	case []byte:
		return toTime(t, string(x))
	}
	t.Fatalf("cannot read time %T %v", v, v)
	return nil
}

// readRaw reads clocks, deciding events and agencies with plain SQL.
func readRaw(t *testing.T, st *store.Store) ([]rawClock, []rawEvent, []rawAgency) {
	t.Helper()
	db, err := st.SQLDB()
	require.NoError(t, err)
	q := func(sqlText string, scan func(rs *sql.Rows)) {
		rs, err := db.Query(sqlText)
		require.NoError(t, err)
		defer rs.Close()
		for rs.Next() {
			scan(rs)
		}
		require.NoError(t, rs.Err())
	}
	var cs []rawClock
	q(`SELECT id, complaint_id, agency_id, kind, started_at, due_at, stopped_at, working_days_used, verdict FROM complaint_clocks
	   WHERE kind <> 'verification'`, func(rs *sql.Rows) {
		var c rawClock
		var st, due, stop any
		require.NoError(t, rs.Scan(&c.id, &c.complaint, &c.agency, &c.kind, &st, &due, &stop, &c.used, &c.verdict))
		c.started, c.due, c.stopped = *toTime(t, st), *toTime(t, due), toTime(t, stop)
		cs = append(cs, c)
	})
	var es []rawEvent
	q(`SELECT complaint_id, kind, at, agency_id FROM complaint_events WHERE complaint_id IS NOT NULL`, func(rs *sql.Rows) {
		var e rawEvent
		var at any
		var ag sql.NullInt64
		require.NoError(t, rs.Scan(&e.complaint, &e.kind, &at, &ag))
		e.at, e.agency = *toTime(t, at), ag.Int64
		es = append(es, e)
	})
	var as []rawAgency
	q(`SELECT id, code, path, time_zone FROM agencies`, func(rs *sql.Rows) {
		var a rawAgency
		var tz string
		require.NoError(t, rs.Scan(&a.id, &a.code, &a.path, &tz))
		a.loc = mustZone(tz)
		as = append(as, a)
	})
	return cs, es, as
}

// expected is the brute-force figure set of one (agency, scope, period).
type expected struct {
	counts store.RollupCounts
	fr, cp []int // raw working-day samples
}

func (e expected) empty() bool {
	return e.counts == (store.RollupCounts{}) && len(e.fr) == 0 && len(e.cp) == 0
}

// bruteForce computes, for the agencies whose path starts with prefix (the
// subtree) or equals it (own), the figures of the period [from, to] (civil
// dates), straight from raw rows by the definitions in package metrics.
func bruteForce(cs []rawClock, es []rawEvent, as []rawAgency, member func(rawAgency) bool, from, to time.Time) expected {
	var out expected
	ag := map[int64]rawAgency{}
	for _, a := range as {
		ag[a.id] = a
	}
	inPeriod := func(agency int64, t time.Time) bool {
		l := t.In(ag[agency].loc)
		d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
		return !d.Before(from) && !d.After(to)
	}
	byComplaint := map[int64][]rawClock{}
	for _, c := range cs {
		byComplaint[c.complaint] = append(byComplaint[c.complaint], c)
	}
	evs := map[int64][]rawEvent{}
	for _, e := range es {
		evs[e.complaint] = append(evs[e.complaint], e)
	}
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for cid, clocks := range byComplaint {
		// last holder: the first_response clock started last
		var holder rawClock
		found := false
		for _, c := range clocks {
			if c.kind != "first_response" {
				continue
			}
			stop, hstop := far, far
			if c.stopped != nil {
				stop = *c.stopped
			}
			if holder.stopped != nil {
				hstop = *holder.stopped
			}
			if !found || c.started.After(holder.started) || (c.started.Equal(holder.started) &&
				(stop.After(hstop) || (stop.Equal(hstop) && c.id > holder.id))) {
				holder, found = c, true
			}
		}
		has := func(kind string) bool {
			for _, e := range evs[cid] {
				if e.kind == kind {
					return true
				}
			}
			return false
		}
		first := map[int64]time.Time{}
		for _, c := range clocks {
			if c.kind == "first_response" {
				if t, ok := first[c.agency]; !ok || c.started.Before(t) {
					first[c.agency] = c.started
				}
			}
		}
		for a, t := range first {
			if !member(ag[a]) || !inPeriod(a, t) {
				continue
			}
			n := &out.counts
			n.Received++
			switch {
			case a != holder.agency:
				n.ForwardedOut++
			case has("rejected"):
				n.Rejected++
			default:
				n.Assigned++
				for _, e := range evs[cid] {
					if e.kind == "responded" && (e.agency == a || e.agency == 0) {
						n.Responded++
						break
					}
				}
				if has("completed") {
					n.Completed++
				}
			}
		}
		for _, c := range clocks {
			if !member(ag[c.agency]) {
				continue
			}
			fr := c.kind == "first_response"
			if inPeriod(c.agency, c.due) {
				n := &out.counts
				due, on, od, pend := &n.CPDue, &n.CPOnTime, &n.CPOpenOverdue, &n.CPPending
				if fr {
					due, on, od, pend = &n.FRDue, &n.FROnTime, &n.FROpenOverdue, &n.FRPending
				}
				switch c.verdict {
				case "met":
					*due, *on = *due+1, *on+1
				case "breached":
					*due++
				case "overdue":
					*due, *od = *due+1, *od+1
				default:
					*pend++
				}
			}
			if c.stopped == nil || !inPeriod(c.agency, *c.stopped) {
				continue
			}
			for _, e := range evs[cid] {
				if !e.at.Equal(*c.stopped) {
					continue
				}
				if fr && e.kind == "responded" && (e.agency == c.agency || e.agency == 0) {
					out.fr = append(out.fr, c.used)
					break
				}
				if !fr && e.kind == "completed" {
					out.cp = append(out.cp, c.used)
					break
				}
			}
		}
	}
	sort.Ints(out.fr)
	sort.Ints(out.cp)
	return out
}

// p90 is the nearest-rank 90th percentile of sorted samples: the value at
// rank ⌈0.9·N⌉, in integers so no rounding creeps in.
func p90(xs []int) int {
	k := (9*len(xs) + 9) / 10
	return xs[max(k, 1)-1]
}

func median(xs []int) float64 {
	n := len(xs)
	if n%2 == 1 {
		return float64(xs[n/2])
	}
	return float64(xs[n/2-1]+xs[n/2]) / 2
}
