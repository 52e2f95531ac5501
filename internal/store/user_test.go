package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func TestUserStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		now := time.Date(2025, 10, 9, 5, 0, 0, 0, time.UTC)
		u, err := st.CreateUser(ctx, store.User{Username: "siti", Role: "officer", AgencyCode: "32.73", PasswordHash: "h1"}, now)
		require.NoError(t, err)
		require.Equal(t, "32.73", u.AgencyCode)
		require.Equal(t, "/ID/32/32.73/", u.AgencyPath)
		require.Equal(t, "id", u.Language)
		_, err = st.CreateUser(ctx, store.User{Username: "siti", Role: "admin", PasswordHash: "h"}, now)
		require.ErrorIs(t, err, domain.ErrConflict)
		_, err = st.CreateUser(ctx, store.User{Username: "x", Role: "officer", AgencyCode: "99", PasswordHash: "h"}, now)
		require.ErrorIs(t, err, domain.ErrNotFound)

		t.Run("failed attempts count and lock", func(t *testing.T) {
			for want := 1; want <= 3; want++ {
				var n int
				require.NoError(t, st.InTx(ctx, func(tx *store.Store) error {
					n, err = tx.AddFailedSignIn(ctx, u.ID, now)
					return err
				}))
				require.Equal(t, want, n)
			}
			require.NoError(t, st.LockUser(ctx, u.ID, now.Add(15*time.Minute), now))
			got, err := st.UserByUsername(ctx, "siti")
			require.NoError(t, err)
			require.Equal(t, 0, got.FailedAttempts)
			require.True(t, got.LockedUntil.Equal(now.Add(15*time.Minute)))
			require.NoError(t, st.UnlockUser(ctx, u.ID, now))
			got, _ = st.UserByID(ctx, u.ID)
			require.Nil(t, got.LockedUntil)
		})

		t.Run("sessions", func(t *testing.T) {
			s1, err := st.CreateSession(ctx, store.Session{UserID: u.ID, TokenHash: "a", CSRFToken: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
			require.NoError(t, err)
			_, err = st.CreateSession(ctx, store.Session{UserID: u.ID, TokenHash: "b", CSRFToken: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
			require.NoError(t, err)
			got, err := st.SessionByTokenHash(ctx, "a")
			require.NoError(t, err)
			require.Equal(t, s1.ID, got.ID)
			require.True(t, got.ExpiresAt.Equal(now.Add(time.Hour)))
			require.NoError(t, st.TouchSession(ctx, s1.ID, now.Add(30*time.Second)))
			got, _ = st.SessionByTokenHash(ctx, "a")
			require.True(t, got.LastSeenAt.Equal(now), "touches within a minute are skipped")
			require.NoError(t, st.TouchSession(ctx, s1.ID, now.Add(2*time.Minute)))
			got, _ = st.SessionByTokenHash(ctx, "a")
			require.True(t, got.LastSeenAt.Equal(now.Add(2*time.Minute)))
			require.NoError(t, st.RevokeSession(ctx, s1.ID, now))
			n, err := st.RevokeUserSessions(ctx, u.ID, now)
			require.NoError(t, err)
			require.EqualValues(t, 1, n, "only the live one")
			_, err = st.SessionByTokenHash(ctx, "zz")
			require.ErrorIs(t, err, domain.ErrNotFound)
			n, err = st.DeleteSessionsBefore(ctx, now.Add(time.Second))
			require.NoError(t, err)
			require.EqualValues(t, 2, n)
		})

		t.Run("digest claims", func(t *testing.T) {
			id, ok, err := st.ClaimDigestSend(ctx, u.ID, "2025-10-09", "email", 3, now)
			require.NoError(t, err)
			require.True(t, ok)
			_, ok, err = st.ClaimDigestSend(ctx, u.ID, "2025-10-09", "email", 3, now)
			require.NoError(t, err)
			require.False(t, ok, "a slot is claimed once")
			require.NoError(t, st.FinishDigestSend(ctx, store.DigestSend{ID: id, Outcome: store.DigestFailed, Error: "boom"}, now))
			id2, ok, err := st.ClaimDigestSend(ctx, u.ID, "2025-10-09", "email", 3, now)
			require.NoError(t, err)
			require.True(t, ok, "a failed send may be retried")
			require.Equal(t, id, id2)
			require.NoError(t, st.FinishDigestSend(ctx, store.DigestSend{ID: id, Outcome: store.DigestSent, Overdue: 2, AtRisk: 1, Items: 3}, now))
			_, ok, _ = st.ClaimDigestSend(ctx, u.ID, "2025-10-09", "email", 3, now)
			require.False(t, ok)
			sends, err := st.DigestSends(ctx, u.ID, 10)
			require.NoError(t, err)
			require.Len(t, sends, 1)
			require.Equal(t, store.DigestSent, sends[0].Outcome)
			require.Equal(t, 2, sends[0].Attempts)
			h := 7
			require.NoError(t, st.SetDigestSettings(ctx, u.ID, store.DigestSettings{Hour: &h, Email: true}, "en", now))
			us, err := st.UsersWithDigestAt(ctx, 7)
			require.NoError(t, err)
			require.Len(t, us, 1)
			require.Equal(t, "en", us[0].Language)
			us, _ = st.UsersWithDigestAt(ctx, 8)
			require.Empty(t, us)
		})

		t.Run("reporter access log", func(t *testing.T) {
			for _, tr := range []string{"A-1", "A-2"} {
				require.NoError(t, st.InsertReporterAccess(ctx, store.ReporterAccess{At: now, UserID: u.ID, Actor: "user:siti", ComplaintID: 1,
					Source: "lapor", TrackingID: tr, AgencyCode: "32.73", Purpose: "detail"}))
			}
			list, total, err := st.ListReporterAccess(ctx, store.ReporterAccessFilter{TrackingID: "A-2"})
			require.NoError(t, err)
			require.EqualValues(t, 1, total)
			require.Equal(t, "A-2", list[0].TrackingID)
			_, total, _ = st.ListReporterAccess(ctx, store.ReporterAccessFilter{})
			require.EqualValues(t, 2, total)
		})
	})
}

func TestOpenClockQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		refs, err := st.ClockAgencies(ctx)
		require.NoError(t, err)
		ids := map[string]int64{}
		paths := map[string]string{}
		for _, r := range refs {
			ids[r.Code], paths[r.Code] = r.ID, r.Path
		}
		base := time.Date(2025, 10, 6, 2, 0, 0, 0, time.UTC)
		mk := func(tracking, agency, category string, due time.Time, v domain.Verdict, stopped bool) {
			c := domain.Complaint{Source: "lapor", TrackingID: tracking, ReportType: domain.ReportPengaduan, AgencyCode: agency,
				Category: category, SubmittedAt: base, Title: "T " + tracking}
			m, err := st.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: c, AgencyID: ids[agency], GovernmentCode: agency}}, base)
			require.NoError(t, err)
			id := m[store.ComplaintKey{Source: "lapor", TrackingID: tracking}]
			k := domain.Clock{Kind: domain.ClockFirstResponse, AgencyCode: agency, Cycle: 1, StartedAt: base, DueAt: due, LimitDays: 5,
				WorkingDaysUsed: 2, Verdict: v, PolicyVersion: "p", CalendarVersion: "c"}
			if stopped {
				k.StoppedAt = &due
			}
			_, err = st.ReplaceOpenClocks(ctx, []int64{id}, []store.ClockRecord{{ComplaintID: id, AgencyID: ids[agency], GovernmentCode: agency,
				Clock: k, ComputedAt: base}})
			require.NoError(t, err)
		}
		day := time.Date(2025, 10, 9, 0, 0, 0, 0, time.UTC)
		mk("Q-LATE", "32.73.A", "jalan", day.Add(-48*time.Hour), domain.VerdictOverdue, false)
		mk("Q-TODAY", "32.73", "air", day.Add(10*time.Hour), domain.VerdictAtRisk, false)
		mk("Q-LATER", "32.73", "jalan", day.Add(96*time.Hour), domain.VerdictOpen, false)
		mk("Q-DONE", "32.73", "jalan", day, domain.VerdictMet, true)
		mk("Q-OTHER", "32.04", "jalan", day.Add(-96*time.Hour), domain.VerdictOverdue, false)

		items, err := st.OpenClockQueue(ctx, store.QueueFilter{Path: paths["32.73"]})
		require.NoError(t, err)
		var got []string
		for _, it := range items {
			got = append(got, it.TrackingID)
		}
		require.Equal(t, []string{"Q-LATE", "Q-TODAY", "Q-LATER"}, got, "subtree only, running only, by due date")
		require.Equal(t, "Asia/Jakarta", items[0].DueAt.Location().String())

		cases := []struct {
			name string
			f    store.QueueFilter
			want int
		}{
			{"category", store.QueueFilter{Path: paths["32.73"], Category: "jalan"}, 2},
			{"unit", store.QueueFilter{Path: paths["32.73.A"]}, 1},
			{"kind", store.QueueFilter{Path: paths["32.73"], Kind: "completion"}, 0},
			{"report type", store.QueueFilter{Path: paths["32.73"], ReportType: "pengaduan"}, 3},
			{"everything", store.QueueFilter{}, 4},
			{"limit", store.QueueFilter{Limit: 2, Offset: 1}, 2},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				items, err := st.OpenClockQueue(ctx, tc.f)
				require.NoError(t, err)
				require.Len(t, items, tc.want)
			})
		}
		counts, err := st.OpenClockCounts(ctx, store.QueueFilter{Path: paths["32.73"]}, day, day.Add(24*time.Hour))
		require.NoError(t, err)
		require.Equal(t, store.QueueCounts{Open: 3, Overdue: 1, AtRisk: 1, DueToday: 1}, counts)
		units, cats, err := st.QueueFacets(ctx, paths["32.73"])
		require.NoError(t, err)
		require.Equal(t, []store.QueueUnit{{Code: "32.73", Name: "Agency 32.73"}, {Code: "32.73.A", Name: "Agency 32.73.A"}}, units)
		require.Equal(t, []string{"air", "jalan"}, cats)
	})
}
