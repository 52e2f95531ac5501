package workspace_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// fixedNow is Thursday 2025-10-09 09:30 WIB.
var wib = time.FixedZone("WIB", 7*3600)
var fixedNow = time.Date(2025, 10, 9, 9, 30, 0, 0, wib)

// cheap keeps argon2id fast in tests; production uses DefaultPasswordParams.
var cheap = workspace.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	t      *testing.T
	st     *store.Store
	svc    *workspace.Service
	clocks *clocks.Service
	now    time.Time
	ids    map[string]int64
}

func (f *fixture) setNow(t time.Time) { f.now = t }

func newFixture(t *testing.T, st *store.Store, opts workspace.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, st: st, now: fixedNow, ids: map[string]int64{}}
	now := func() time.Time { return f.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, now)
	acc := access.NewService(st, rec, now)
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
		{Code: "32.73.DPU", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Dinas PU Kota Bandung"},
		{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung"},
	} {
		a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	refs, err := st.ClockAgencies(ctx)
	require.NoError(t, err)
	for _, r := range refs {
		f.ids[r.Code] = r.ID
	}
	cals := clocks.NewCalendars(st, log, now)
	pols := clocks.NewPolicies(st, acc, rec, now)
	f.clocks = clocks.NewService(st, cals, pols, rec, log, now)
	if opts.Password == (workspace.PasswordParams{}) {
		opts.Password = cheap
	}
	opts.Now, opts.Log = now, log
	f.svc = workspace.NewService(st, rec, f.clocks, opts)
	return f
}

// complaint stores a pengaduan submitted `daysAgo` calendar days before
// fixedNow and assigned at once to agency; recompute computes its clocks.
func (f *fixture) complaint(tracking, agency string, daysAgo int, rep domain.Reporter, anonymous bool) {
	f.t.Helper()
	ctx := context.Background()
	sub := fixedNow.AddDate(0, 0, -daysAgo).Add(-time.Hour)
	gov := agency
	if len(gov) > 5 {
		gov = gov[:5]
	}
	c := domain.Complaint{Source: "lapor", TrackingID: tracking, ReportType: domain.ReportPengaduan, SubmittedAt: sub, AgencyCode: agency,
		Category: "Infrastruktur", Title: "Jalan rusak " + tracking, Anonymous: anonymous}
	ids, err := f.st.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: c, Reporter: rep, AgencyID: f.ids[agency], GovernmentCode: gov}}, sub)
	require.NoError(f.t, err)
	id := ids[store.ComplaintKey{Source: "lapor", TrackingID: tracking}]
	_, err = f.st.InsertEvents(ctx, []store.EventWrite{
		{ComplaintID: id, AgencyID: f.ids[agency], Event: domain.Event{Source: "lapor", TrackingID: tracking, EventID: "e1",
			Kind: domain.EventSubmitted, At: sub, AgencyCode: agency}},
		{ComplaintID: id, AgencyID: f.ids[agency], ToAgencyID: f.ids[agency], Event: domain.Event{Source: "lapor", TrackingID: tracking,
			EventID: "e2", Kind: domain.EventAssigned, At: sub.Add(30 * time.Minute), AgencyCode: agency, ToAgencyCode: agency}},
	}, sub)
	require.NoError(f.t, err)
}

func (f *fixture) recompute() {
	f.t.Helper()
	_, err := f.clocks.RecomputeAll(context.Background())
	require.NoError(f.t, err)
}

// seed stores complaints of 32.73 (and its unit) and of 32.04 at ages that
// give overdue, at-risk and open first-response clocks.
func (f *fixture) seed() {
	for _, c := range []struct {
		tracking, agency string
		days             int
	}{
		{"BDG-OLD", "32.73", 30}, {"BDG-DPU-MID", "32.73.DPU", 7}, {"BDG-NEW", "32.73", 1}, {"BDG-LATE", "32.73.DPU", 14},
		{"KAB-OLD", "32.04", 25}, {"KAB-NEW", "32.04", 2},
	} {
		f.complaint(c.tracking, c.agency, c.days, domain.Reporter{Name: "Warga " + c.tracking, Contact: "08123" + c.tracking}, false)
	}
	f.complaint("BDG-ANON", "32.73", 3, domain.Reporter{Name: "Rahasia", Contact: "0899"}, true)
	f.recompute()
}

func (f *fixture) user(username string, role workspace.Role, agency, email string) store.User {
	f.t.Helper()
	u, _, err := f.svc.CreateUser(context.Background(), access.CLI(), workspace.NewUser{Username: username, Role: role, AgencyCode: agency,
		Email: email, Password: "correct horse battery"})
	require.NoError(f.t, err)
	return u
}

func (f *fixture) signIn(username string) workspace.Current {
	f.t.Helper()
	in, err := f.svc.SignIn(context.Background(), username, "correct horse battery", workspace.Client{IP: "10.0.0.1"})
	require.NoError(f.t, err)
	return in.Current
}

func (f *fixture) audits(entity, key, action string) []store.AuditEntry {
	f.t.Helper()
	list, _, err := f.st.ListAudit(context.Background(), store.AuditFilter{Entity: entity, EntityKey: key})
	require.NoError(f.t, err)
	var out []store.AuditEntry
	for _, e := range list {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}
