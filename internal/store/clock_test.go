package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

func clockComplaint(t *testing.T, st *store.Store, agencyID int64, tracking string) int64 {
	t.Helper()
	c := domain.Complaint{Source: "lapor", TrackingID: tracking, ReportType: domain.ReportPengaduan, AgencyCode: "32.73",
		SubmittedAt: time.Date(2025, 10, 6, 2, 0, 0, 0, time.UTC)}
	ids, err := st.InsertComplaints(context.Background(), []store.ComplaintWrite{{Complaint: c, AgencyID: agencyID, GovernmentCode: "32.73"}}, time.Now())
	require.NoError(t, err)
	return ids[store.ComplaintKey{Source: "lapor", TrackingID: tracking}]
}

func TestClockStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		refs, err := st.ClockAgencies(ctx)
		require.NoError(t, err)
		var agencyID int64
		for _, r := range refs {
			if r.Code == "32.73" {
				agencyID = r.ID
				require.Equal(t, domain.KindKota, r.Kind)
			}
		}
		c1 := clockComplaint(t, st, agencyID, "C-1")
		start := time.Date(2025, 10, 6, 2, 0, 0, 0, time.UTC)
		stop := start.Add(26 * time.Hour)
		check := start.Add(7 * 24 * time.Hour)
		rec := func(kind domain.ClockKind, due time.Time, stopped *time.Time, v domain.Verdict, used int) store.ClockRecord {
			return store.ClockRecord{ComplaintID: c1, AgencyID: agencyID, GovernmentCode: "32.73", TimeZone: "Asia/Jakarta",
				ComputedAt: start, NextCheckAt: &check, Clock: domain.Clock{Kind: kind, AgencyCode: "32.73", Cycle: 1,
					StartedAt: start, DueAt: due, StoppedAt: stopped, LimitDays: 5, WorkingDaysUsed: used, Verdict: v,
					PolicyVersion: "p1", CalendarVersion: "cal-1",
					Pauses: []domain.ClockPause{{From: start, To: stop, WorkingDays: 1}}}}
		}
		due := time.Date(2025, 10, 13, 16, 59, 59, 0, time.UTC)
		first := []store.ClockRecord{
			rec(domain.ClockVerification, due, &stop, domain.VerdictMet, 1),
			rec(domain.ClockCompletion, due, nil, domain.VerdictOpen, 2),
		}
		res, err := st.ReplaceOpenClocks(ctx, []int64{c1}, first)
		require.NoError(t, err)
		require.Equal(t, store.ClockWriteResult{Written: 2}, res)

		// A recompute that would change the stopped clock, and finds the
		// running one gone, keeps the first and drops the second.
		changed := rec(domain.ClockVerification, due.Add(24*time.Hour), &stop, domain.VerdictBreached, 3)
		res, err = st.ReplaceOpenClocks(ctx, []int64{c1}, []store.ClockRecord{changed})
		require.NoError(t, err)
		require.Equal(t, store.ClockWriteResult{Written: 0, Frozen: 1}, res)
		got, err := st.ClocksOfComplaints(ctx, []int64{c1})
		require.NoError(t, err)
		require.Len(t, got[c1], 1)
		k := got[c1][0].Clock
		require.Equal(t, domain.VerdictMet, k.Verdict, "stopped clocks are frozen")
		require.Equal(t, "Asia/Jakarta", k.DueAt.Location().String(), "times come back in the agency's zone")
		require.True(t, k.DueAt.Equal(due))
		require.Len(t, k.Pauses, 1)
		require.True(t, k.Pauses[0].To.Equal(stop))

		_, err = st.ReplaceOpenClocks(ctx, []int64{c1}, first)
		require.NoError(t, err)
		cases := []struct {
			name     string
			from, to time.Time
			want     int
		}{
			{"window inside", start.Add(48 * time.Hour), start.Add(72 * time.Hour), 1},
			{"after due", due.Add(time.Hour), due.Add(48 * time.Hour), 0},
			{"before start", start.Add(-72 * time.Hour), start.Add(-time.Hour), 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				spans, err := st.OpenClocksOverlapping(ctx, c.from, c.to)
				require.NoError(t, err)
				require.Len(t, spans, c.want, "only running clocks count")
			})
		}
		ids, err := st.ComplaintsToSweep(ctx, check.Add(-time.Second), 0, 10)
		require.NoError(t, err)
		require.Empty(t, ids)
		ids, err = st.ComplaintsToSweep(ctx, check, 0, 10)
		require.NoError(t, err)
		require.Equal(t, []int64{c1}, ids)
		ids, err = st.ComplaintsToSweep(ctx, check, c1, 10)
		require.NoError(t, err)
		require.Empty(t, ids, "keyset paging")

		in, err := st.ClockInputs(ctx, []int64{c1, 999999})
		require.NoError(t, err)
		require.Len(t, in, 1)
		require.Equal(t, "32.73", in[0].Complaint.AgencyCode)

		all, err := st.ComplaintIDsAfter(ctx, 0, 10, "")
		require.NoError(t, err)
		require.Equal(t, []int64{c1}, all)
		none, err := st.ComplaintIDsAfter(ctx, 0, 10, "/ID/64/")
		require.NoError(t, err)
		require.Empty(t, none, "another subtree")
	})
}

func TestHolidayAndPolicyStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		now := time.Now()
		d := workcal.NewDate(2025, 10, 13)
		h := workcal.Holiday{Date: d, Kind: workcal.CutiBersama, NameID: "Uji", Source: "SKB"}
		require.NoError(t, st.InsertHoliday(ctx, h, now))
		require.ErrorIs(t, st.InsertHoliday(ctx, h, now), domain.ErrConflict)
		got, err := st.HolidayOn(ctx, d)
		require.NoError(t, err)
		require.Equal(t, h, got)
		h.NameEN = "Test"
		require.NoError(t, st.UpdateHoliday(ctx, h, now))
		hs, err := st.HolidaysInYear(ctx, 2025)
		require.NoError(t, err)
		require.Equal(t, []workcal.Holiday{h}, hs)
		require.NoError(t, st.DeleteHoliday(ctx, d))
		require.ErrorIs(t, st.DeleteHoliday(ctx, d), domain.ErrNotFound)

		_, err = st.LatestCalendarVersion(ctx)
		require.ErrorIs(t, err, domain.ErrNotFound)
		for _, r := range []string{"seed", "add"} {
			_, err := st.InsertCalendarVersion(ctx, store.CalendarVersion{Hash: "hol-" + r, Reason: r, Source: "s", Actor: "a", CreatedAt: now})
			require.NoError(t, err)
		}
		v, err := st.LatestCalendarVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, "add", v.Reason)

		for _, p := range []store.PolicyVersion{
			{Version: "n-1", Name: "n"}, {Version: "bdg-1", Name: "b", AgencyCode: "32.73"}, {Version: "n-2", Name: "n"},
		} {
			p.Document, p.Actor, p.CreatedAt = "{}", "a", now
			_, err := st.InsertPolicy(ctx, p)
			require.NoError(t, err)
		}
		_, err = st.InsertPolicy(ctx, store.PolicyVersion{Version: "n-2", Document: "{}", Actor: "a", CreatedAt: now})
		require.ErrorIs(t, err, domain.ErrConflict)
		_, err = st.InsertPolicy(ctx, store.PolicyVersion{Version: "x", Document: "{}", Actor: "a", AgencyCode: "99", CreatedAt: now})
		require.ErrorIs(t, err, domain.ErrNotFound)
		inForce, err := st.PoliciesInForce(ctx)
		require.NoError(t, err)
		require.Len(t, inForce, 2)
		require.Equal(t, "n-2", inForce[0].Version, "the newest national policy first")
		require.Equal(t, "bdg-1", inForce[1].Version)
		require.Equal(t, "32.73", inForce[1].AgencyCode)
	})
}
