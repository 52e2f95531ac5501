package clocks_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

var wib = func() *time.Location { l, _ := time.LoadLocation("Asia/Jakarta"); return l }()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, wib)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) workcal.Date {
	d, err := workcal.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fixture is a service over a small tree with a settable clock.
type fixture struct {
	st    *store.Store
	svc   *clocks.Service
	pols  *clocks.Policies
	now   time.Time
	ids   map[string]int64 // tracking id → complaint id
	agent map[string]int64 // agency code → id
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, ids: map[string]int64{}, agent: map[string]int64{}}
	nowFn := func() time.Time { return f.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, nowFn)
	acc := access.NewService(st, rec, nowFn)
	cals := clocks.NewCalendars(st, log, nowFn)
	f.pols = clocks.NewPolicies(st, acc, rec, nowFn)
	f.svc = clocks.NewService(st, cals, f.pols, rec, log, nowFn)
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
		{Code: "32.73.DINKES", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Dinkes"},
	} {
		a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	refs, err := st.ClockAgencies(ctx)
	require.NoError(t, err)
	for _, r := range refs {
		f.agent[r.Code] = r.ID
	}
	return f
}

type ev struct {
	kind     domain.EventKind
	at       string
	to       string
	byAgency string
}

// complaint stores a pengaduan at agency 32.73 with its events.
func (f *fixture) complaint(t *testing.T, tracking string, submitted string, events ...ev) int64 {
	t.Helper()
	ctx := context.Background()
	c := domain.Complaint{Source: domain.DefaultSource, TrackingID: tracking, ReportType: domain.ReportPengaduan,
		SubmittedAt: at(submitted), AgencyCode: "32.73", Title: "Jalan rusak " + tracking, Summary: "Lubang besar"}
	ids, err := f.st.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: c, AgencyID: f.agent["32.73"], GovernmentCode: "32.73",
		Reporter: domain.Reporter{Name: "Siti", Contact: "0812"}}}, f.now)
	require.NoError(t, err)
	id := ids[store.ComplaintKey{Source: c.Source, TrackingID: tracking}]
	var ws []store.EventWrite
	for i, e := range events {
		by := e.byAgency
		if by == "" {
			by = "32.73"
		}
		w := store.EventWrite{ComplaintID: id, AgencyID: f.agent[by], ToAgencyID: f.agent[e.to], Event: domain.Event{
			Source: c.Source, TrackingID: tracking, EventID: tracking + "-" + string(rune('a'+i)), Kind: e.kind, At: at(e.at),
			AgencyCode: by, ToAgencyCode: e.to}}
		ws = append(ws, w)
	}
	_, err = f.st.InsertEvents(ctx, ws, f.now)
	require.NoError(t, err)
	f.ids[tracking] = id
	return id
}

func (f *fixture) clocks(t *testing.T, tracking string) map[domain.ClockKind]clocks.ClockView {
	t.Helper()
	vs, err := f.svc.ComplaintClocks(context.Background(), f.ids[tracking], true)
	require.NoError(t, err)
	out := map[domain.ClockKind]clocks.ClockView{}
	for _, v := range vs {
		require.Equal(t, 1, v.Cycle)
		out[v.Kind] = v
	}
	return out
}

func dueDay(v clocks.ClockView) string { return workcal.DateOf(v.DueAt, wib).String() }

// openAndDone stores T-OPEN (assigned 2025-10-07, running) and T-DONE
// (responded 2025-10-14, one working day after its first-response due day
// 2025-10-13, so breached; completed 2025-10-15).
func (f *fixture) openAndDone(t *testing.T) {
	f.complaint(t, "T-OPEN", "2025-10-06 09:00",
		ev{kind: domain.EventSubmitted, at: "2025-10-06 09:00"},
		ev{kind: domain.EventAssigned, at: "2025-10-07 10:00", to: "32.73"})
	f.complaint(t, "T-DONE", "2025-10-06 09:00",
		ev{kind: domain.EventSubmitted, at: "2025-10-06 09:00"},
		ev{kind: domain.EventAssigned, at: "2025-10-06 11:00", to: "32.73"},
		ev{kind: domain.EventResponded, at: "2025-10-14 15:00"},
		ev{kind: domain.EventCompleted, at: "2025-10-15 15:00"})
}

func TestHolidayChangeMovesOpenClocksOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2025-10-16 12:00")
		f.openAndDone(t)
		rep, err := f.svc.RecomputeAll(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Complaints)
		require.Zero(t, rep.Failed, rep.Failures)

		open0, done0 := f.clocks(t, "T-OPEN"), f.clocks(t, "T-DONE")
		// Hand-checked: first response 5 working days after 10-07 → 10-14;
		// completion 14 → 10-27; T-DONE's first response due 10-13, answered 10-14.
		require.Equal(t, "2025-10-14", dueDay(open0[domain.ClockFirstResponse]))
		require.Equal(t, domain.VerdictOverdue, open0[domain.ClockFirstResponse].Verdict)
		require.Equal(t, "2025-10-27", dueDay(open0[domain.ClockCompletion]))
		require.Equal(t, "2025-10-13", dueDay(done0[domain.ClockFirstResponse]))
		require.Equal(t, domain.VerdictBreached, done0[domain.ClockFirstResponse].Verdict)
		require.Equal(t, 6, done0[domain.ClockFirstResponse].WorkingDaysUsed)
		for _, m := range []map[domain.ClockKind]clocks.ClockView{open0, done0} {
			for k, v := range m {
				require.Equal(t, v.WorkingDaysUsed, v.Counted, "%s: explanation sums to working days used", k)
			}
		}

		admin := access.Principal{Name: "test-admin", Role: access.RoleAdmin, TokenID: 7}
		change := clocks.Change{Reason: "test: extra leave day", Source: "Keppres test/2025"}
		hol := workcal.Holiday{Date: day("2025-10-13"), Kind: workcal.CutiBersama, NameID: "Cuti uji", NameEN: "Test leave"}

		f.now = at("2025-10-16 13:00")
		res, err := f.svc.AddHoliday(ctx, admin, hol, change)
		require.NoError(t, err)
		require.Equal(t, 1, res.Added)
		require.NotNil(t, res.Version)
		require.Equal(t, 1, res.Recomputed.Complaints, "only T-OPEN has a running clock over 10-13")

		open1, done1 := f.clocks(t, "T-OPEN"), f.clocks(t, "T-DONE")
		require.Equal(t, "2025-10-15", dueDay(open1[domain.ClockFirstResponse]), "one working day later")
		require.Equal(t, "2025-10-28", dueDay(open1[domain.ClockCompletion]), "one working day later")
		require.Equal(t, res.Version.Hash, open1[domain.ClockCompletion].CalendarVersion)
		require.Equal(t, stripDays(open0[domain.ClockVerification]), stripDays(open1[domain.ClockVerification]), "a stopped clock is frozen")
		require.Equal(t, stripAll(done0), stripAll(done1), "stopped clocks untouched")

		// Even a full recompute leaves stopped clocks as judged.
		rep, err = f.svc.RecomputeAll(ctx)
		require.NoError(t, err)
		require.Positive(t, rep.Frozen)
		done2 := f.clocks(t, "T-DONE")
		require.Equal(t, domain.VerdictBreached, done2[domain.ClockFirstResponse].Verdict)
		require.Equal(t, done0[domain.ClockFirstResponse].CalendarVersion, done2[domain.ClockFirstResponse].CalendarVersion)

		entries, _, err := st.ListAudit(ctx, store.AuditFilter{Entity: "holiday", EntityKey: "2025-10-13"})
		require.NoError(t, err)
		require.Len(t, entries, 1)
		require.Equal(t, "create", entries[0].Action)
		require.Equal(t, admin.Actor(), entries[0].Actor)
		require.Contains(t, *entries[0].After, "test: extra leave day")

		res, err = f.svc.RemoveHoliday(ctx, admin, day("2025-10-13"), change)
		require.NoError(t, err)
		require.Equal(t, 1, res.Removed)
		require.Equal(t, 1, res.Recomputed.Complaints)
		open3 := f.clocks(t, "T-OPEN")
		require.Equal(t, "2025-10-14", dueDay(open3[domain.ClockFirstResponse]), "restored")
		require.Equal(t, "2025-10-27", dueDay(open3[domain.ClockCompletion]), "restored")
		require.Equal(t, open0[domain.ClockCompletion].CalendarVersion, open3[domain.ClockCompletion].CalendarVersion,
			"the same holiday set is the same calendar version")
		entries, _, err = st.ListAudit(ctx, store.AuditFilter{Entity: "holiday", EntityKey: "2025-10-13"})
		require.NoError(t, err)
		require.Len(t, entries, 2)
		require.Equal(t, "delete", entries[0].Action)

		hist, err := f.svc.CalendarHistory(ctx, 0)
		require.NoError(t, err)
		require.Len(t, hist, 3, "seed, add, remove")
	})
}

func stripDays(v clocks.ClockView) clocks.ClockView {
	v.Days, v.Counted = nil, 0
	return v
}

func stripAll(m map[domain.ClockKind]clocks.ClockView) map[domain.ClockKind]clocks.ClockView {
	out := map[domain.ClockKind]clocks.ClockView{}
	for k, v := range m {
		out[k] = stripDays(v)
	}
	return out
}

func TestHolidayChangeValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2025-10-16 12:00")
		admin := access.Principal{Name: "a", Role: access.RoleAdmin}
		ok := clocks.Change{Reason: "r", Source: "s"}
		hol := workcal.Holiday{Date: day("2025-10-13"), Kind: workcal.LiburNasional, NameID: "Uji"}
		cases := []struct {
			name string
			run  func() error
			want error
		}{
			{"no reason", func() error { _, err := f.svc.AddHoliday(ctx, admin, hol, clocks.Change{Source: "s"}); return err }, domain.ErrInvalid},
			{"no source", func() error { _, err := f.svc.AddHoliday(ctx, admin, hol, clocks.Change{Reason: "r"}); return err }, domain.ErrInvalid},
			{"not admin", func() error {
				_, err := f.svc.AddHoliday(ctx, access.Principal{Name: "r", Role: access.RoleReader}, hol, ok)
				return err
			}, domain.ErrForbidden},
			{"bad kind", func() error {
				h := hol
				h.Kind = "libur"
				_, err := f.svc.AddHoliday(ctx, admin, h, ok)
				return err
			}, domain.ErrInvalid},
			{"already a holiday", func() error {
				h := hol
				h.Date = day("2025-12-25")
				_, err := f.svc.AddHoliday(ctx, admin, h, ok)
				return err
			}, domain.ErrConflict},
			{"remove a working day", func() error { _, err := f.svc.RemoveHoliday(ctx, admin, day("2025-10-14"), ok); return err }, domain.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				require.ErrorIs(t, c.run(), c.want)
			})
		}
		hist, err := f.svc.CalendarHistory(ctx, 0)
		require.NoError(t, err)
		require.Len(t, hist, 1, "rejected changes create no version")
	})
}

func TestRecomputeDirtyOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2025-10-16 12:00")
		f.openAndDone(t)
		require.NoError(t, st.MarkComplaintsDirty(ctx, []int64{f.ids["T-OPEN"]}, f.now))

		rep, err := f.svc.RecomputeDirty(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Complaints)
		require.Len(t, f.clocks(t, "T-OPEN"), 3)
		require.Empty(t, f.clocks(t, "T-DONE"), "a clean complaint is not recomputed")
		dirty, err := st.DirtyComplaints(ctx, 10)
		require.NoError(t, err)
		require.Empty(t, dirty)

		rep, err = f.svc.RecomputeDirty(ctx)
		require.NoError(t, err)
		require.Zero(t, rep.Complaints, "nothing left to do")
	})
}

func TestSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2025-10-08 12:00")
		f.complaint(t, "T-OPEN", "2025-10-06 09:00",
			ev{kind: domain.EventSubmitted, at: "2025-10-06 09:00"},
			ev{kind: domain.EventAssigned, at: "2025-10-07 10:00", to: "32.73"})
		_, err := f.svc.RecomputeAll(ctx)
		require.NoError(t, err)
		require.Equal(t, domain.VerdictOpen, f.clocks(t, "T-OPEN")[domain.ClockFirstResponse].Verdict)

		// First response: limit 5 from 10-07, at risk from the 4th working
		// day (10-13), overdue after its due day 10-14.
		steps := []struct {
			now        string
			complaints int
			first      domain.Verdict
			completion domain.Verdict
		}{
			{"2025-10-12 23:00", 0, domain.VerdictOpen, domain.VerdictOpen},
			{"2025-10-13 00:30", 1, domain.VerdictAtRisk, domain.VerdictOpen},
			{"2025-10-14 23:59", 0, domain.VerdictAtRisk, domain.VerdictOpen},
			{"2025-10-15 00:01", 1, domain.VerdictOverdue, domain.VerdictOpen},
			{"2025-10-24 08:00", 1, domain.VerdictOverdue, domain.VerdictAtRisk},
			{"2025-10-28 08:00", 1, domain.VerdictOverdue, domain.VerdictOverdue},
			{"2025-11-28 08:00", 0, domain.VerdictOverdue, domain.VerdictOverdue},
		}
		for _, s := range steps {
			rep, err := f.svc.Sweep(ctx, at(s.now))
			require.NoError(t, err)
			require.Equal(t, s.complaints, rep.Complaints, "sweep at %s", s.now)
			cs := f.clocks(t, "T-OPEN")
			require.Equal(t, s.first, cs[domain.ClockFirstResponse].Verdict, "first response at %s", s.now)
			require.Equal(t, s.completion, cs[domain.ClockCompletion].Verdict, "completion at %s", s.now)
			require.Equal(t, domain.VerdictMet, cs[domain.ClockVerification].Verdict)
		}
	})
}

func TestPolicies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2025-10-08 12:00")
		admin := access.Principal{Name: "a", Role: access.RoleAdmin}
		inForce, hist, err := f.pols.List(ctx)
		require.NoError(t, err)
		require.Len(t, inForce, 1)
		require.Equal(t, "lapor-national-1", inForce[0].Version)
		require.Len(t, hist, 1)

		stricter := `{"version":"bdg-1","name":"Bandung","pause_cap_calendar_days":30,"rules":[{"limits":{"verification":3,"first_response":2,"completion":10}}]}`
		_, err = f.pols.Put(ctx, admin, "32.73", []byte(stricter), "Perwal 12/2025")
		require.NoError(t, err)
		_, err = f.pols.Put(ctx, admin, "32.73", []byte(stricter), "again")
		require.ErrorIs(t, err, domain.ErrConflict, "a version label is used once")
		_, err = f.pols.Put(ctx, access.Principal{Name: "x", Role: access.RoleAgency, AgencyCode: "32.73"}, "32.73", []byte(stricter), "r")
		require.ErrorIs(t, err, domain.ErrForbidden)
		_, err = f.pols.Put(ctx, admin, "", []byte(`{"version":"n-2","name":"n","rules":[{"limits":{"completion":0}}]}`), "r")
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.Contains(t, err.Error(), "rules[0].limits.completion")

		f.complaint(t, "T-OPEN", "2025-10-06 09:00",
			ev{kind: domain.EventSubmitted, at: "2025-10-06 09:00"},
			ev{kind: domain.EventAssigned, at: "2025-10-07 10:00", to: "32.73.DINKES"})
		_, err = f.svc.RecomputeAll(ctx)
		require.NoError(t, err)
		cs := f.clocks(t, "T-OPEN")
		require.Equal(t, "bdg-1", cs[domain.ClockFirstResponse].PolicyVersion, "the override covers the subtree")
		require.Equal(t, 2, cs[domain.ClockFirstResponse].LimitDays)
		require.Equal(t, "2025-10-09", dueDay(cs[domain.ClockFirstResponse]))
		_, hist, err = f.pols.List(ctx)
		require.NoError(t, err)
		require.Len(t, hist, 2)
	})
}

func TestCoverageWarnings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		cases := []struct {
			now  string
			want string
		}{
			{"2027-10-31 23:59", ""},
			{"2027-11-01 00:01", "does not cover 2028"},
			{"2026-12-01 10:00", ""},
		}
		for _, c := range cases {
			f.now = at(c.now)
			ws := f.svc.Calendars().CoverageWarnings(context.Background())
			if c.want == "" {
				require.Empty(t, ws, c.now)
			} else {
				require.Len(t, ws, 1, c.now)
				require.Contains(t, ws[0], c.want)
			}
		}
	})
}

func TestImportHolidays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = at("2027-11-02 10:00")
		admin := access.Principal{Name: "a", Role: access.RoleAdmin}
		csv := "date,kind,name_id,name_en,source\n" +
			"2028-01-01,libur_nasional,Tahun Baru 2028 Masehi,New Year's Day,SKB uji 2027\n" +
			"2027-12-25,libur_nasional,Kelahiran Yesus Kristus,Christmas Day,SKB koreksi\n"
		res, err := f.svc.ImportHolidays(ctx, admin, strings.NewReader(csv), clocks.Change{Reason: "SKB 2028", Source: "SKB uji 2027"})
		require.NoError(t, err)
		require.Equal(t, 1, res.Added)
		require.Equal(t, 1, res.Updated+res.Unchanged)
		require.Empty(t, f.svc.Calendars().CoverageWarnings(ctx), "2028 is covered now")
		hs, _, err := f.svc.Holidays(ctx, 2028)
		require.NoError(t, err)
		require.Len(t, hs, 1)
	})
}
