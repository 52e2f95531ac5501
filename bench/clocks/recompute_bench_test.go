// Package clocks_test benchmarks the stored-clock recompute a holiday change
// triggers, on PostgreSQL, against a plain read of the same rows measured in
// the same run. Run with:
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/clocks/  (TANGGAP_BENCH_N sets the complaints; default 100000)
package clocks_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("TANGGAP_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var wib = time.FixedZone("WIB", 7*3600)

// seed stores n open pengaduan at one regency, received Monday 2025-10-06
// and assigned between then and Wednesday, and computes their clocks: at
// "now" (Thursday 2025-10-09) every first-response and completion clock is
// running and its window contains Monday 2025-10-13.
func seed(b *testing.B, st *store.Store, svc *clocks.Service, n int) {
	ctx := context.Background()
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
	} {
		a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
		if _, err := st.CreateAgency(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	refs, err := st.ClockAgencies(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var agencyID int64
	for _, r := range refs {
		if r.Code == "32.73" {
			agencyID = r.ID
		}
	}
	const chunk = 10_000
	for start := 0; start < n; start += chunk {
		var cws []store.ComplaintWrite
		for i := start; i < min(start+chunk, n); i++ {
			cws = append(cws, store.ComplaintWrite{AgencyID: agencyID, GovernmentCode: "32.73", Complaint: domain.Complaint{
				Source: "lapor", TrackingID: fmt.Sprintf("B-%07d", i), ReportType: domain.ReportPengaduan, AgencyCode: "32.73",
				SubmittedAt: time.Date(2025, 10, 6, 8, 0, 0, 0, wib).Add(time.Duration(i%600) * time.Minute)}})
		}
		err := st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			ids, err := tx.InsertComplaints(ctx, cws, time.Now())
			if err != nil {
				return err
			}
			var ews []store.EventWrite
			for _, cw := range cws {
				c := cw.Complaint
				id := ids[store.ComplaintKey{Source: c.Source, TrackingID: c.TrackingID}]
				assigned := c.SubmittedAt.Add(time.Duration(id%48) * time.Hour)
				ews = append(ews,
					store.EventWrite{ComplaintID: id, AgencyID: agencyID, Event: domain.Event{Source: c.Source, TrackingID: c.TrackingID,
						EventID: "s", Kind: domain.EventSubmitted, At: c.SubmittedAt, AgencyCode: "32.73"}},
					store.EventWrite{ComplaintID: id, AgencyID: agencyID, ToAgencyID: agencyID, Event: domain.Event{Source: c.Source,
						TrackingID: c.TrackingID, EventID: "a", Kind: domain.EventAssigned, At: assigned, AgencyCode: "32.73", ToAgencyCode: "32.73"}})
			}
			_, err = tx.InsertEvents(ctx, ews, time.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	rep, err := svc.RecomputeAll(ctx)
	if err != nil || rep.Failed > 0 || rep.Complaints != n {
		b.Fatalf("initial compute: %+v %v", rep, err)
	}
}

// selectSameRows reads what the recompute reads and writes: the complaints,
// their events and their running clocks, through plain SELECTs.
func selectSameRows(b *testing.B, st *store.Store) int {
	db, err := st.SQLDB()
	if err != nil {
		b.Fatal(err)
	}
	rows := 0
	for _, q := range []string{
		"SELECT id, source, tracking_id, report_type, category, channel, submitted_at, agency_id, anonymous, confidential FROM complaints",
		"SELECT complaint_id, event_key, kind, at, agency_id, to_agency_id FROM complaint_events",
		"SELECT * FROM complaint_clocks WHERE stopped_at IS NULL",
	} {
		rs, err := db.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rs.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if err := rs.Err(); err != nil {
			b.Fatal(err)
		}
		rs.Close()
	}
	return rows
}

func BenchmarkHolidayRecomputePostgres(b *testing.B) {
	storetest.RequirePostgres(b)
	st := storetest.Postgres(b)
	n := benchN()
	now := time.Date(2025, 10, 9, 12, 0, 0, 0, wib)
	nowFn := func() time.Time { return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, nowFn)
	acc := access.NewService(st, rec, nowFn)
	svc := clocks.NewService(st, clocks.NewCalendars(st, log, nowFn), clocks.NewPolicies(st, acc, rec, nowFn), rec, log, nowFn)
	t0 := time.Now()
	seed(b, st, svc, n)
	b.Logf("seeded %d complaints with clocks in %s", n, time.Since(t0).Round(time.Millisecond))

	ctx := context.Background()
	admin := access.Principal{Name: "bench", Role: access.RoleAdmin}
	ch := clocks.Change{Reason: "benchmark", Source: "bench"}
	hol := workcal.Holiday{Date: workcal.NewDate(2025, 10, 13), Kind: workcal.CutiBersama, NameID: "Cuti uji"}

	var selectTime, recomputeTime time.Duration
	var recomputed int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t := time.Now()
		rows := selectSameRows(b, st)
		selectTime += time.Since(t)
		if rows < 4*n {
			b.Fatalf("select read %d rows, want ≥ %d", rows, 4*n)
		}
		b.StartTimer()
		t = time.Now()
		var res clocks.HolidayResult
		var err error
		if i%2 == 0 {
			res, err = svc.AddHoliday(ctx, admin, hol, ch)
		} else {
			res, err = svc.RemoveHoliday(ctx, admin, hol.Date, ch)
		}
		if err != nil {
			b.Fatal(err)
		}
		recomputeTime += time.Since(t)
		recomputed = res.Recomputed.Complaints
		if recomputed != n {
			b.Fatalf("recomputed %d complaints, want %d", recomputed, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "complaints")
	b.ReportMetric(recomputeTime.Seconds()/float64(b.N), "recompute_s")
	b.ReportMetric(selectTime.Seconds()/float64(b.N), "select_s")
	b.ReportMetric(float64(recomputeTime)/float64(selectTime), "ratio_to_select")
}
