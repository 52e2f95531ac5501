package retention_test

import (
	"context"
	"encoding/json"
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
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/retention"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

var wib = func() *time.Location { l, _ := time.LoadLocation("Asia/Jakarta"); return l }()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, wib)
	if err != nil {
		panic(err)
	}
	return t
}

// now is the retention pass's time; with the default age (730 days) the
// cut-off is 2024-06-01 (2024 is a leap year).
var now = at("2026-06-01 02:00")

type ev struct {
	kind domain.EventKind
	at   string
}

// snapshot is everything public or statistical about the stored complaints.
type snapshot struct {
	complaints map[string]store.PublicComplaint
	events     []string
	clocks     map[int64][]store.ClockRecord
	rollups    []store.Rollup
	counts     map[string]int64
}

func take(t *testing.T, st *store.Store, ids map[string]int64) snapshot {
	t.Helper()
	ctx := context.Background()
	s := snapshot{complaints: map[string]store.PublicComplaint{}}
	var all []int64
	for tracking, id := range ids {
		c, err := st.ComplaintByKey(ctx, store.ComplaintKey{Source: domain.DefaultSource, TrackingID: tracking})
		require.NoError(t, err)
		s.complaints[tracking] = c
		all = append(all, id)
	}
	var err error
	s.events, err = st.EventDigest(ctx)
	require.NoError(t, err)
	s.clocks, err = st.ClocksOfComplaints(ctx, all)
	require.NoError(t, err)
	s.rollups, err = st.Rollups(ctx, store.RollupFilter{})
	require.NoError(t, err)
	s.counts, err = st.IngestTableCounts(ctx)
	require.NoError(t, err)
	return s
}

func TestAnonymiseOnlyOldClosedComplaints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		nowFn := func() time.Time { return now }
		rec := audit.NewRecorder(st, log, nowFn)
		acc := access.NewService(st, rec, nowFn)
		for _, a := range []domain.Agency{
			{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
			{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
			{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
		} {
			a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
			_, err := st.CreateAgency(ctx, a)
			require.NoError(t, err)
		}
		refs, err := st.ClockAgencies(ctx)
		require.NoError(t, err)
		agency := map[string]int64{}
		for _, r := range refs {
			agency[r.Code] = r.ID
		}

		ids := map[string]int64{}
		add := func(tracking string, reporter bool, events ...ev) {
			c := domain.Complaint{Source: domain.DefaultSource, TrackingID: tracking, ReportType: domain.ReportPengaduan,
				SubmittedAt: at(events[0].at), AgencyCode: "32.73", Title: "Jalan rusak " + tracking, Summary: "Lubang besar"}
			w := store.ComplaintWrite{Complaint: c, AgencyID: agency["32.73"], GovernmentCode: "32.73"}
			if reporter {
				w.Reporter = domain.Reporter{Name: "Pelapor " + tracking, Contact: strings.ToLower(tracking) + "@contoh.invalid"}
			}
			got, err := st.InsertComplaints(ctx, []store.ComplaintWrite{w}, now)
			require.NoError(t, err)
			id := got[store.ComplaintKey{Source: c.Source, TrackingID: tracking}]
			var ws []store.EventWrite
			for i, e := range events {
				we := store.EventWrite{ComplaintID: id, AgencyID: agency["32.73"], Event: domain.Event{Source: c.Source, TrackingID: tracking,
					EventID: tracking + "-" + string(rune('a'+i)), Kind: e.kind, At: at(e.at), AgencyCode: "32.73"}}
				if e.kind == domain.EventAssigned {
					we.ToAgencyID, we.Event.ToAgencyCode = agency["32.73"], "32.73"
				}
				ws = append(ws, we)
			}
			_, err = st.InsertEvents(ctx, ws, now)
			require.NoError(t, err)
			ids[tracking] = id
		}
		life := func(from string, end ...ev) []ev {
			return append([]ev{{domain.EventSubmitted, from}, {domain.EventAssigned, from}, {domain.EventResponded, from}}, end...)
		}
		// anonymised: closed before the cut-off and not reopened since
		add("OLD-DONE", true, life("2023-03-06 09:00", ev{domain.EventCompleted, "2023-03-20 10:00"})...)
		add("OLD-REJECTED", true, ev{domain.EventSubmitted, "2023-05-08 09:00"}, ev{domain.EventRejected, "2023-05-09 09:00"})
		add("OLD-CLOSED", true, life("2024-04-01 09:00", ev{domain.EventCompleted, "2024-04-20 10:00"}, ev{domain.EventClosed, "2024-05-31 23:59"})...)
		// kept
		add("REOPENED", true, life("2023-03-06 09:00", ev{domain.EventCompleted, "2023-03-20 10:00"}, ev{domain.EventReopened, "2023-04-03 09:00"})...)
		add("RECENT", true, life("2025-02-03 09:00", ev{domain.EventCompleted, "2025-02-20 10:00"})...)
		add("CLOSED-LATE", true, life("2023-03-06 09:00", ev{domain.EventCompleted, "2023-03-20 10:00"}, ev{domain.EventClosed, "2024-06-01 09:00"})...)
		add("OPEN", true, life("2023-01-09 09:00")...)
		add("NO-REPORTER", false, life("2023-03-06 09:00", ev{domain.EventCompleted, "2023-03-20 10:00"})...)

		cals := clocks.NewCalendars(st, log, nowFn)
		pols := clocks.NewPolicies(st, acc, rec, nowFn)
		clk := clocks.NewService(st, cals, pols, rec, log, nowFn)
		rep, err := clk.RecomputeAll(ctx)
		require.NoError(t, err)
		require.Zero(t, rep.Failed, rep.Failures)
		require.NotZero(t, rep.Clocks)
		_, err = metrics.NewService(st, log, nowFn, 1).Rebuild(ctx)
		require.NoError(t, err)

		before := take(t, st, ids)
		require.NotEmpty(t, before.rollups, "roll-ups exist to compare")

		svc := retention.NewService(st, rec, log, retention.DefaultAge)
		got, err := svc.Anonymise(ctx, now)
		require.NoError(t, err)
		require.EqualValues(t, 3, got.Anonymised)
		require.True(t, got.ClosedBefore.Equal(at("2024-06-01 02:00")), got.ClosedBefore)

		gone := map[string]bool{"OLD-DONE": true, "OLD-REJECTED": true, "OLD-CLOSED": true}
		for tracking, id := range ids {
			r, err := st.ComplaintReporter(ctx, id)
			require.NoError(t, err)
			anon, err := st.IsAnonymised(ctx, id)
			require.NoError(t, err)
			switch {
			case gone[tracking]:
				require.Equal(t, domain.Reporter{}, r, tracking)
				require.True(t, anon, tracking)
			case tracking == "NO-REPORTER":
				require.False(t, anon, "nothing to remove")
			default:
				require.Equal(t, "Pelapor "+tracking, r.Name, tracking)
				require.False(t, anon, tracking)
			}
		}

		after := take(t, st, ids)
		require.Equal(t, before.complaints, after.complaints, "public fields unchanged")
		require.Equal(t, before.events, after.events)
		require.Equal(t, before.clocks, after.clocks)
		require.Equal(t, before.rollups, after.rollups, "every roll-up unchanged")
		require.Equal(t, before.counts["complaint_reporters"]-3, after.counts["complaint_reporters"])
		delete(before.counts, "complaint_reporters")
		delete(after.counts, "complaint_reporters")
		require.Equal(t, before.counts, after.counts)

		again, err := svc.Anonymise(ctx, now)
		require.NoError(t, err)
		require.Zero(t, again.Anonymised, "idempotent")

		// The source still sends the reporter: a newer re-import updates the
		// public record but never brings the identity back.
		ing := ingest.NewService(st, acc, rec, ingest.Options{Log: log, Now: nowFn})
		item := json.RawMessage(`{"tracking_id":"OLD-DONE","report_type":"pengaduan","submitted_at":"2023-03-06T09:00:00+07:00",
			"agency_code":"32.73","title":"Jalan rusak OLD-DONE (koreksi)","summary":"Lubang besar",
			"reporter_name":"Pelapor OLD-DONE","reporter_contact":"old-done@contoh.invalid","source_updated_at":"2026-01-05T10:00:00+07:00"}`)
		rep2, err := ing.SubmitComplaints(ctx, access.CLI(), domain.DefaultSource, []json.RawMessage{item})
		require.NoError(t, err)
		require.EqualValues(t, 1, rep2.Counts.Updated, "%+v", rep2)
		r, err := st.ComplaintReporter(ctx, ids["OLD-DONE"])
		require.NoError(t, err)
		require.Equal(t, domain.Reporter{}, r, "retention holds across re-imports")
		c, err := st.ComplaintByKey(ctx, store.ComplaintKey{Source: domain.DefaultSource, TrackingID: "OLD-DONE"})
		require.NoError(t, err)
		require.Equal(t, "Jalan rusak OLD-DONE (koreksi)", c.Complaint.Title)
		rep3, err := ing.SubmitComplaints(ctx, access.CLI(), domain.DefaultSource, []json.RawMessage{item})
		require.NoError(t, err)
		require.EqualValues(t, 1, rep3.Counts.Unchanged, "a replay after retention is unchanged: %+v", rep3)

		entries, _, err := st.ListAudit(ctx, store.AuditFilter{Limit: 100})
		require.NoError(t, err)
		found := false
		for _, e := range entries {
			if e.Action == "retention.anonymise" {
				found = true
				require.Equal(t, retention.Actor, e.Actor)
				require.NotNil(t, e.After)
				require.Contains(t, *e.After, `"complaints":3`)
				require.NotContains(t, *e.After, "Pelapor", "the audit trail keeps counts, not identities")
				require.NotContains(t, *e.After, "contoh.invalid")
			}
		}
		require.True(t, found, "the pass is audited")

		n, err := st.AnonymisedComplaints(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
	})
}

func TestAgeMustBePositive(t *testing.T) {
	st := storetest.SQLite(t)
	_, err := retention.NewService(st, audit.NewRecorder(st, nil, time.Now), nil, 0).Anonymise(context.Background(), now)
	require.ErrorIs(t, err, domain.ErrInvalid)
}
