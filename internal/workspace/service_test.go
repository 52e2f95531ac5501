package workspace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

func TestPasswordHash(t *testing.T) {
	h, err := workspace.HashPassword("correct horse battery", cheap)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"))
	h2, _ := workspace.HashPassword("correct horse battery", cheap)
	require.NotEqual(t, h, h2, "salted")
	cases := []struct {
		name, pw, hash string
		ok             bool
		err            bool
	}{
		{"right", "correct horse battery", h, true, false},
		{"wrong", "correct horse batterY", h, false, false},
		{"empty", "", h, false, false},
		{"not argon2id", "x", "$2a$10$abc", false, true},
		{"bad params", "x", "$argon2id$v=19$m=x$a$b", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := workspace.VerifyPassword(tc.pw, tc.hash)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.err, err != nil)
		})
	}
	pw, err := workspace.GeneratePassword()
	require.NoError(t, err)
	require.Len(t, pw, 20)
}

func TestCreateUserValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, workspace.Options{})
		ctx := context.Background()
		cases := []struct {
			name  string
			actor access.Principal
			nu    workspace.NewUser
			want  error
		}{
			{"officer ok", access.CLI(), workspace.NewUser{Username: "Siti", Role: workspace.RoleOfficer, AgencyCode: "32.73"}, nil},
			{"duplicate", access.CLI(), workspace.NewUser{Username: "siti", Role: workspace.RoleOfficer, AgencyCode: "32.73"}, domain.ErrConflict},
			{"officer needs agency", access.CLI(), workspace.NewUser{Username: "budi", Role: workspace.RoleOfficer}, domain.ErrInvalid},
			{"admin has no agency", access.CLI(), workspace.NewUser{Username: "budi", Role: workspace.RoleAdmin, AgencyCode: "32"}, domain.ErrInvalid},
			{"bad role", access.CLI(), workspace.NewUser{Username: "budi", Role: "root"}, domain.ErrInvalid},
			{"short password", access.CLI(), workspace.NewUser{Username: "budi", Role: workspace.RoleAdmin, Password: "short"}, domain.ErrInvalid},
			{"unknown agency", access.CLI(), workspace.NewUser{Username: "budi", Role: workspace.RoleSupervisor, AgencyCode: "99"}, domain.ErrNotFound},
			{"reader token may not", access.Principal{TokenID: 1, Name: "r", Role: access.RoleReader}, workspace.NewUser{Username: "budi", Role: workspace.RoleAdmin}, domain.ErrForbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u, pw, err := f.svc.CreateUser(ctx, tc.actor, tc.nu)
				if tc.want != nil {
					require.ErrorIs(t, err, tc.want)
					return
				}
				require.NoError(t, err)
				require.Equal(t, "siti", u.Username, "usernames are lower-cased")
				require.Len(t, pw, 20, "a generated password is returned once")
				ok, _ := workspace.VerifyPassword(pw, u.PasswordHash)
				require.True(t, ok)
			})
		}
		require.Len(t, f.audits("user", "siti", "create"), 1)
	})
}

// TestLockout: five wrong passwords lock the account for the configured
// time; the lock and the unlock (on expiry) are audited with every attempt.
func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, workspace.Options{LockThreshold: 5, LockDuration: 10 * time.Minute})
		f.user("siti", workspace.RoleOfficer, "32.73", "")
		cl := workspace.Client{IP: "10.1.1.1"}
		for i := 1; i <= 4; i++ {
			_, err := f.svc.SignIn(ctx, "siti", "wrong password!", cl)
			require.ErrorIs(t, err, workspace.ErrBadCredentials, "attempt %d", i)
		}
		require.Empty(t, f.audits("user", "siti", "lock"))
		_, err := f.svc.SignIn(ctx, "siti", "wrong password!", cl)
		var le *workspace.LockedError
		require.ErrorAs(t, err, &le, "the fifth wrong password locks")
		require.True(t, le.Until.Equal(fixedNow.Add(10*time.Minute)))
		require.Len(t, f.audits("user", "siti", "sign_in_failed"), 5)
		locks := f.audits("user", "siti", "lock")
		require.Len(t, locks, 1)
		require.Contains(t, *locks[0].After, `"failures":5`)

		// The right password does not get through a lock.
		f.setNow(fixedNow.Add(9 * time.Minute))
		_, err = f.svc.SignIn(ctx, "siti", "correct horse battery", cl)
		require.ErrorIs(t, err, workspace.ErrLocked)
		require.Len(t, f.audits("user", "siti", "sign_in_refused"), 1)
		require.Empty(t, f.audits("user", "siti", "unlock"))

		// After the lock runs out the next attempt unlocks (audited) and,
		// with the right password, signs in.
		f.setNow(fixedNow.Add(10*time.Minute + time.Second))
		in, err := f.svc.SignIn(ctx, "siti", "correct horse battery", cl)
		require.NoError(t, err)
		require.NotEmpty(t, in.Secret)
		unlocks := f.audits("user", "siti", "unlock")
		require.Len(t, unlocks, 1)
		require.Equal(t, "system", unlocks[0].Actor)
		require.Len(t, f.audits("user", "siti", "sign_in"), 1)
		u, err := st.UserByUsername(ctx, "siti")
		require.NoError(t, err)
		require.Nil(t, u.LockedUntil)
		require.Equal(t, 0, u.FailedAttempts)

		// A success resets the count: four more failures do not lock.
		for i := 0; i < 4; i++ {
			_, err := f.svc.SignIn(ctx, "siti", "nope nope nope", cl)
			require.ErrorIs(t, err, workspace.ErrBadCredentials)
		}
		// An admin can lift a lock early; that is audited too.
		_, err = f.svc.SignIn(ctx, "siti", "nope nope nope", cl)
		require.ErrorAs(t, err, &le)
		_, err = f.svc.UnlockUser(ctx, access.CLI(), "siti")
		require.NoError(t, err)
		require.Len(t, f.audits("user", "siti", "unlock"), 2)
		_, err = f.svc.SignIn(ctx, "siti", "correct horse battery", cl)
		require.NoError(t, err)

		// Unknown users get the same answer, and an audit row.
		_, err = f.svc.SignIn(ctx, "nobody", "whatever whatever", cl)
		require.ErrorIs(t, err, workspace.ErrBadCredentials)
		require.Len(t, f.audits("user", "nobody", "sign_in_failed"), 1)
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, workspace.Options{SessionIdle: 30 * time.Minute, SessionAbsolute: 2 * time.Hour})
		f.user("siti", workspace.RoleOfficer, "32.73", "")
		signIn := func() workspace.SignedIn {
			in, err := f.svc.SignIn(ctx, "siti", "correct horse battery", workspace.Client{IP: "10.0.0.9", UserAgent: "test"})
			require.NoError(t, err)
			return in
		}
		at := func(d time.Duration) { f.setNow(fixedNow.Add(d)) }
		t.Run("stored hashed", func(t *testing.T) {
			at(0)
			in := signIn()
			_, err := st.SessionByTokenHash(ctx, in.Secret)
			require.ErrorIs(t, err, domain.ErrNotFound, "the secret itself is not stored")
			_, err = st.SessionByTokenHash(ctx, access.HashSecret(in.Secret))
			require.NoError(t, err)
		})
		t.Run("idle expiry", func(t *testing.T) {
			at(0)
			in := signIn()
			at(20 * time.Minute)
			_, err := f.svc.Authenticate(ctx, in.Secret)
			require.NoError(t, err, "activity within the idle limit")
			at(49 * time.Minute)
			_, err = f.svc.Authenticate(ctx, in.Secret)
			require.NoError(t, err, "the previous request restarted the idle clock")
			at(80 * time.Minute)
			_, err = f.svc.Authenticate(ctx, in.Secret)
			require.ErrorIs(t, err, workspace.ErrNoSession)
		})
		t.Run("absolute expiry", func(t *testing.T) {
			at(0)
			in := signIn()
			for d := 25 * time.Minute; d < 2*time.Hour; d += 25 * time.Minute {
				at(d)
				_, err := f.svc.Authenticate(ctx, in.Secret)
				require.NoError(t, err)
			}
			at(2 * time.Hour)
			_, err := f.svc.Authenticate(ctx, in.Secret)
			require.ErrorIs(t, err, workspace.ErrNoSession)
		})
		t.Run("sign out and everywhere", func(t *testing.T) {
			at(0)
			a, b, c := signIn(), signIn(), signIn()
			require.NoError(t, f.svc.SignOut(ctx, a.Current))
			_, err := f.svc.Authenticate(ctx, a.Secret)
			require.ErrorIs(t, err, workspace.ErrNoSession)
			cur, err := f.svc.Authenticate(ctx, b.Secret)
			require.NoError(t, err)
			n, err := f.svc.SignOutEverywhere(ctx, cur)
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, int64(2))
			for _, s := range []string{b.Secret, c.Secret} {
				_, err = f.svc.Authenticate(ctx, s)
				require.ErrorIs(t, err, workspace.ErrNoSession)
			}
			require.NotEmpty(t, f.audits("user", "siti", "sign_out_everywhere"))
		})
		t.Run("disable ends sessions", func(t *testing.T) {
			at(0)
			in := signIn()
			_, err := f.svc.DisableUser(ctx, access.CLI(), "siti")
			require.NoError(t, err)
			_, err = f.svc.Authenticate(ctx, in.Secret)
			require.ErrorIs(t, err, workspace.ErrNoSession)
			_, err = f.svc.SignIn(ctx, "siti", "correct horse battery", workspace.Client{})
			require.ErrorIs(t, err, workspace.ErrBadCredentials)
			_, err = f.svc.EnableUser(ctx, access.CLI(), "siti")
			require.NoError(t, err)
		})
		t.Run("reset password", func(t *testing.T) {
			at(0)
			in := signIn()
			_, pw, err := f.svc.ResetPassword(ctx, access.CLI(), "siti", "")
			require.NoError(t, err)
			_, err = f.svc.Authenticate(ctx, in.Secret)
			require.ErrorIs(t, err, workspace.ErrNoSession)
			_, err = f.svc.SignIn(ctx, "siti", pw, workspace.Client{})
			require.NoError(t, err)
			_, _, err = f.svc.ResetPassword(ctx, access.CLI(), "siti", "correct horse battery")
			require.NoError(t, err)
		})
		t.Run("csrf", func(t *testing.T) {
			at(0)
			in := signIn()
			other := signIn()
			require.True(t, workspace.ValidCSRF(in.Current, in.Session.CSRFToken))
			require.False(t, workspace.ValidCSRF(in.Current, ""))
			require.False(t, workspace.ValidCSRF(in.Current, other.Session.CSRFToken), "tokens are per session")
		})
	})
}

func TestQueueScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, workspace.Options{})
		f.seed()
		f.user("siti", workspace.RoleOfficer, "32.73", "")
		f.user("admin", workspace.RoleAdmin, "", "")
		cur := f.signIn("siti")
		now := fixedNow

		// Oracle: every running clock, read through another query path.
		ids, err := st.ComplaintIDsWithOpenClocks(ctx, 0, 1000)
		require.NoError(t, err)
		byID, err := st.ClocksOfComplaints(ctx, ids)
		require.NoError(t, err)
		want := map[string]int{}
		for _, recs := range byID {
			for _, r := range recs {
				if r.Clock.StoppedAt == nil && strings.HasPrefix(r.Clock.AgencyCode, "32.73") {
					want[r.Clock.AgencyCode]++
				}
			}
		}

		q, err := f.svc.Queue(ctx, cur.User, workspace.QueueFilter{}, now)
		require.NoError(t, err)
		got := map[string]int{}
		var prev time.Time
		for _, g := range q.Groups {
			for _, it := range g.Items {
				got[it.AgencyCode]++
				require.False(t, it.DueAt.Before(prev), "ordered by due date across groups")
				prev = it.DueAt
				require.NotContains(t, it.TrackingID, "KAB", "no other subtree")
			}
		}
		require.Equal(t, want, got)
		require.EqualValues(t, want["32.73"]+want["32.73.DPU"], q.Total)
		groups := map[string][]string{}
		for _, g := range q.Groups {
			for _, it := range g.Items {
				groups[g.Key] = append(groups[g.Key], it.TrackingID+"/"+string(it.Kind))
			}
		}
		require.Equal(t, []string{"BDG-OLD/first_response", "BDG-OLD/completion", "BDG-LATE/first_response"}, groups[workspace.GroupOverdue])
		require.Equal(t, []string{"BDG-DPU-MID/first_response"}, groups[workspace.GroupDueToday])
		require.Len(t, groups[workspace.GroupLater], 6)

		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name string
				f    workspace.QueueFilter
				want int64
				err  error
			}{
				{"unit", workspace.QueueFilter{Unit: "32.73.DPU"}, int64(want["32.73.DPU"]), nil},
				{"kind", workspace.QueueFilter{Kind: "completion"}, 5, nil},
				{"category", workspace.QueueFilter{Category: "Infrastruktur"}, int64(want["32.73"] + want["32.73.DPU"]), nil},
				{"type", workspace.QueueFilter{ReportType: "aspirasi"}, 0, nil},
				{"unit outside the subtree", workspace.QueueFilter{Unit: "32.04"}, 0, domain.ErrForbidden},
				{"bad kind", workspace.QueueFilter{Kind: "x"}, 0, domain.ErrInvalid},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					q, err := f.svc.Queue(ctx, cur.User, tc.f, now)
					if tc.err != nil {
						require.ErrorIs(t, err, tc.err)
						return
					}
					require.NoError(t, err)
					require.Equal(t, tc.want, q.Total)
				})
			}
		})
		t.Run("csv", func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, workspace.WriteQueueCSV(&b, q, "https://tanggap.example"))
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			require.Len(t, lines, 1+q.Shown)
			require.True(t, strings.HasPrefix(lines[1], "overdue,lapor,BDG-OLD,32.73,"))
			require.Contains(t, lines[1], "https://tanggap.example/kerja/aduan/lapor/BDG-OLD")
			require.NotContains(t, b.String(), "KAB-")
			require.NotContains(t, b.String(), "08123", "no reporter data in the CSV")
		})
		t.Run("admin sees all", func(t *testing.T) {
			admin, err := st.UserByUsername(ctx, "admin")
			require.NoError(t, err)
			q, err := f.svc.Queue(ctx, admin, workspace.QueueFilter{}, now)
			require.NoError(t, err)
			require.EqualValues(t, countOpen(byID), q.Total)
		})
	})
}

func countOpen(byID map[int64][]store.ClockRecord) int {
	n := 0
	for _, recs := range byID {
		for _, r := range recs {
			if r.Clock.StoppedAt == nil {
				n++
			}
		}
	}
	return n
}

func TestComplaintDetail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, workspace.Options{})
		f.seed()
		f.user("siti", workspace.RoleOfficer, "32.73", "")
		f.user("sekda", workspace.RoleSupervisor, "32", "")
		officer, supervisor := f.signIn("siti"), f.signIn("sekda")
		cl := workspace.Client{IP: "10.2.2.2"}

		oc, err := f.svc.Complaint(ctx, officer, "lapor", "BDG-LATE", cl)
		require.NoError(t, err)
		require.NotNil(t, oc.Reporter)
		require.Equal(t, "08123BDG-LATE", oc.Reporter.Contact)
		require.NotEmpty(t, oc.Clocks)
		require.NotEmpty(t, oc.Clocks[0].Days, "clocks come explained")
		require.Len(t, oc.Events, 2)
		log, total, err := f.svc.ReporterAccessLog(ctx, access.CLI(), store.ReporterAccessFilter{TrackingID: "BDG-LATE"})
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		require.Equal(t, officer.User.ID, log[0].UserID)
		require.Equal(t, "10.2.2.2", log[0].ClientIP)

		cases := []struct {
			name     string
			cur      workspace.Current
			tracking string
			err      error
			reporter bool
			withheld bool
		}{
			{"anonymous reporter stays hidden", officer, "BDG-ANON", nil, false, false},
			{"supervisor reads without reporter", supervisor, "BDG-OLD", nil, false, true},
			{"supervisor sees the whole province", supervisor, "KAB-OLD", nil, false, true},
			{"officer outside the subtree", officer, "KAB-OLD", domain.ErrForbidden, false, false},
			{"unknown", officer, "NOPE", domain.ErrNotFound, false, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				oc, err := f.svc.Complaint(ctx, tc.cur, "lapor", tc.tracking, cl)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tc.reporter, oc.Reporter != nil)
				require.Equal(t, tc.withheld, oc.ReporterWithheld)
			})
		}
		_, total, err = f.svc.ReporterAccessLog(ctx, access.CLI(), store.ReporterAccessFilter{})
		require.NoError(t, err)
		require.EqualValues(t, 1, total, "only the one view that showed reporter data is logged")
		denied := f.audits("complaint", "lapor/KAB-OLD", "deny")
		require.Len(t, denied, 1)
		require.Equal(t, workspace.Actor(officer.User), denied[0].Actor)
		_, _, err = f.svc.ReporterAccessLog(ctx, access.Principal{TokenID: 2, Name: "r", Role: access.RoleReader}, store.ReporterAccessFilter{})
		require.True(t, errors.Is(err, domain.ErrForbidden))
	})
}
